package io.procsys.scope;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Specs found on hosts laid out as systemd, kubelet and a v1 host without systemd lay them out. */
class ScopeResolverTest {
    static final String POD_UID = "1234abcd-0000-1111-2222-333344445555";
    static final String CONTAINER = "a".repeat(64);

    static ScopeResolver.Resolution resolve(CgroupFixture f, String... specs) {
        CgroupTree tree = CgroupTree.open(f.dir.resolve("cgroup"));
        try {
            return new ScopeResolver(tree, Hierarchies.detect(tree), new PodLogs(f.dir.resolve("log"))).resolve(ScopeSpec.parseAll(List.of(specs)));
        } finally {
            tree.close();
        }
    }

    static List<String> paths(ScopeResolver.Resolution r) {
        return r.targets().stream().map(Object::toString).toList();
    }

    /** A v2 host of systemd's: system units, a slice of its own, a user's manager. */
    static CgroupFixture systemdV2() {
        return CgroupFixture.create()
                .cgroup("cgroup.controllers", "cpuset cpu io memory pids\n")
                .cgroupDir("system.slice/web.service")
                .cgroupDir("system.slice/ssh.service")
                .cgroupDir("shop.slice/worker.service")
                .cgroupDir("user.slice/user-1000.slice/user@1000.service/app.slice/editor.service")
                .cgroupDir("init.scope");
    }

    @Test
    void aUnitIsFoundWhereverItsSliceIs() throws Exception {
        try (CgroupFixture f = systemdV2()) {
            assertEquals(List.of("0::/system.slice/web.service"), paths(resolve(f, "web.service")));
            assertEquals(List.of("0::/shop.slice/worker.service"), paths(resolve(f, "worker.service")));
            assertEquals(List.of("0::/user.slice/user-1000.slice/user@1000.service/app.slice/editor.service"), paths(resolve(f, "editor.service")));
            assertEquals(List.of("0::/shop.slice"), paths(resolve(f, "shop.slice")));
            assertEquals(ScopeState.Outcome.PRESENT, resolve(f, "/system.slice/web.service").outcome());
        }
    }

    @Test
    void twoCgroupsOfOneNameAreAmbiguousAndNoneIsAbsent() throws Exception {
        try (CgroupFixture f = systemdV2().cgroupDir("user.slice/user-1000.slice/user@1000.service/app.slice/web.service")) {
            ScopeResolver.Resolution r = resolve(f, "web.service");
            assertEquals(ScopeState.Outcome.AMBIGUOUS, r.outcome());
            assertTrue(r.detail().contains("/system.slice/web.service") && r.detail().contains("app.slice/web.service"), r.detail());
            assertEquals(ScopeState.Outcome.PRESENT, resolve(f, "/system.slice/web.service").outcome(), "a path says which");
            ScopeResolver.Resolution none = resolve(f, "db.service");
            assertEquals(ScopeState.Outcome.ABSENT, none.outcome());
            assertTrue(none.detail().contains("db.service"), none.detail());
            assertEquals(ScopeState.Outcome.ABSENT, resolve(f, "/system.slice/db.service").outcome());
        }
    }

    @Test
    void aUnionKeepsTheOutermostAndWhatIsFound() throws Exception {
        try (CgroupFixture f = systemdV2()) {
            assertEquals(List.of("0::/system.slice"), paths(resolve(f, "/system.slice/web.service", "system.slice")), "no cgroup counted twice");
            ScopeResolver.Resolution some = resolve(f, "web.service", "db.service");
            assertEquals(List.of("0::/system.slice/web.service"), paths(some));
            assertTrue(some.detail().contains("db.service"), "what is not here is said: " + some.detail());
        }
    }

    @Test
    void kubeletsPodsAndContainersByNameAndUid() throws Exception {
        String pod = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_UID.replace('-', '_') + ".slice";
        try (CgroupFixture f = systemdV2()
                .cgroupDir(pod + "/cri-containerd-" + CONTAINER + ".scope")
                .cgroupDir(pod + "/cri-containerd-" + "b".repeat(64) + ".scope")
                .cgroupDir("kubepods.slice/kubepods-pod99999999_0000_1111_2222_333344445555.slice")
                .write("log/pods/shop_web-7d4b9c-x1y2z_" + POD_UID + "/app/0.log", "")
                .write("log/pods/other_web-1_99999999-0000-1111-2222-333344445555/app/0.log", "")
                .write("log/containers/web-7d4b9c-x1y2z_shop_app-" + CONTAINER + ".log", "")
                .write("log/containers/web-7d4b9c-x1y2z_shop_sidecar-" + "b".repeat(64) + ".log", "")) {
            assertEquals(List.of("0::/" + pod), paths(resolve(f, "k8s=shop/web-7d4b9c*")));
            assertEquals(List.of("0::/" + pod + "/cri-containerd-" + CONTAINER + ".scope"), paths(resolve(f, "k8s=shop/web-7d4b9c*:app")));
            assertEquals(List.of("0::/" + pod), paths(resolve(f, "k8s-pod=" + POD_UID)));
            assertEquals(ScopeState.Outcome.ABSENT, resolve(f, "k8s=shop/db-*").outcome());
            assertEquals(ScopeState.Outcome.ABSENT, resolve(f, "k8s=shop/web-*:nginx").outcome());
            assertEquals(List.of("0::/kubepods.slice/kubepods-pod99999999_0000_1111_2222_333344445555.slice"), paths(resolve(f, "k8s=other/web-*")),
                    "a Guaranteed pod sits right under kubepods.slice");
        }
    }

    /** A v1 host without systemd (kubelet's cgroupfs driver, controllers apart): pods are found in the memory hierarchy. */
    @Test
    void kubeletsCgroupfsDriverOnV1() throws Exception {
        try (CgroupFixture f = CgroupFixture.create()
                .cgroupDir("memory/kubepods/burstable/pod" + POD_UID + "/" + CONTAINER)
                .cgroupDir("cpu/kubepods/burstable/pod" + POD_UID + "/" + CONTAINER)
                .write("log/pods/shop_web-1_" + POD_UID + "/app/0.log", "")
                .write("log/containers/web-1_shop_app-" + CONTAINER + ".log", "")) {
            assertEquals(List.of("memory:/kubepods/burstable/pod" + POD_UID), paths(resolve(f, "k8s=shop/web-1")));
            assertEquals(List.of("memory:/kubepods/burstable/pod" + POD_UID + "/" + CONTAINER), paths(resolve(f, "k8s=shop/web-1:app")));
        }
    }

    /** This machine kind: hybrid, controllers apart; a path is looked for in the unified hierarchy, then systemd's. */
    @Test
    void hybridPathsAndControllerPaths() throws Exception {
        try (CgroupFixture f = CgroupFixture.create()
                .cgroup("unified/cgroup.controllers", "\n")
                .cgroupDir("systemd/only-here")
                .cgroupDir("unified/both")
                .cgroupDir("systemd/both")
                .cgroupDir("memory/process_api/abc")) {
            assertEquals("hybrid", Hierarchies.detect(CgroupTree.open(f.dir.resolve("cgroup"))).layout());
            assertEquals(List.of("0::/both"), paths(resolve(f, "/both")));
            assertEquals(List.of("name=systemd:/only-here"), paths(resolve(f, "/only-here")));
            assertEquals(List.of("memory:/process_api/abc"), paths(resolve(f, "memory:/process_api/abc")));
            ScopeResolver.Resolution r = resolve(f, "/process_api/abc");
            assertEquals(ScopeState.Outcome.ABSENT, r.outcome());
            assertTrue(r.detail().contains("CONTROLLER:/process_api/abc"), "the error says how to name a controller's cgroup: " + r.detail());
            assertEquals(ScopeState.Outcome.ABSENT, resolve(f, "blkio:/x").outcome());
        }
    }
}
