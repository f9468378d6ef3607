/**
 * The cluster layer: Netty agents and clients that carry proc trees between hosts.
 * Empty until the cluster work lands; the module exists so the dependency direction
 * (procsys-fs uses procsys-net) is fixed from the start.
 */
package io.procsys.net;
