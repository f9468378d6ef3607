package io.procsys.scope;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeSpecTest {
    @Test
    void everyFormIsRecognised() {
        assertEquals(new ScopeSpec.CgroupPath("/system.slice/web.service", "/system.slice/web.service"), ScopeSpec.parse("/system.slice/web.service"));
        assertEquals(new ScopeSpec.Unit("web.service", "web.service"), ScopeSpec.parse("web.service"));
        assertEquals(new ScopeSpec.Unit("getty@tty1.service", "getty@tty1.service"), ScopeSpec.parse("getty@tty1.service"));
        assertEquals(new ScopeSpec.Unit("system-foo\\x2dbar.slice", "system-foo\\x2dbar.slice"), ScopeSpec.parse("system-foo\\x2dbar.slice"));
        assertEquals(new ScopeSpec.ControllerPath("memory:/batch/job42", "memory", "/batch/job42"), ScopeSpec.parse("memory:/batch/job42"));
        assertEquals(new ScopeSpec.ControllerPath("name=systemd:/a", "name=systemd", "/a"), ScopeSpec.parse("name=systemd:/a"));
        assertEquals(new ScopeSpec.Pods("k8s=shop/web-7d4b9c*", "shop", "web-7d4b9c*", null), ScopeSpec.parse("k8s=shop/web-7d4b9c*"));
        assertEquals(new ScopeSpec.Pods("k8s=shop/web-*:app", "shop", "web-*", "app"), ScopeSpec.parse("k8s=shop/web-*:app"));
        assertEquals(new ScopeSpec.PodUids("k8s-pod=0F3C1234-aaaa-bbbb-cccc-1234567890ab,9a1e5678",
                List.of("0f3c1234-aaaa-bbbb-cccc-1234567890ab", "9a1e5678")), ScopeSpec.parse("k8s-pod=0F3C1234-aaaa-bbbb-cccc-1234567890ab,9a1e5678"));
        assertEquals(new ScopeSpec.CgroupPath("/", "/"), ScopeSpec.parse("/"));
    }

    @Test
    void aPodGlobMatchesAsTheHelpSays() {
        ScopeSpec.Pods web = (ScopeSpec.Pods) ScopeSpec.parse("k8s=shop/web-*");
        assertTrue(web.matches("web-7d4b9c-x1y2z"));
        assertTrue(web.matches("web-admin-5f6g7-abcde"), "a glob also matches a longer deployment's pods (said in --help)");
        assertFalse(web.matches("webapp-1"));
        assertTrue(((ScopeSpec.Pods) ScopeSpec.parse("k8s=shop/web-?")).matches("web-1"));
        assertFalse(((ScopeSpec.Pods) ScopeSpec.parse("k8s=shop/w.b")).matches("web"), "a dot is a dot");
    }

    @Test
    void malformedSpecsAreOneLineErrors() {
        for (String bad : List.of("", "web", "/a/../b", "/a/./b", "/a/", "//a", "k8s=shop", "k8s=Shop/web", "k8s=shop/web:App", "k8s=shop/w_b",
                "k8s-pod=", "k8s-pod=xyz", "k8s-pod=0f3c1234,", "Mem:/a", "web.service\n", "/a\0b", "x".repeat(600), "web.target")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScopeSpec.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void aUnionDropsRepeatsAndIsBounded() {
        assertEquals(2, ScopeSpec.parseAll(List.of("web.service", "/a", "web.service")).size());
        assertThrows(IllegalArgumentException.class, () -> ScopeSpec.parseAll(java.util.Collections.nCopies(ScopeSpec.MAX_SPECS + 1, "/a")));
    }
}
