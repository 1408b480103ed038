package io.dentrywatch.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.cgroup.ContainerIdentity.QosClass;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupPathsTest {

    // container ids are 64 hex digits for containerd, CRI-O and Docker alike
    private static final String ID_A = "b4d1038c0e74467679a7bfd20f6af659a4ddd05e82a03c7784a69074b75288e2";
    private static final String ID_B = "04dc5e77317c146e7cf32d49798430ef11bf99d5c8066bb8871143f975e434c9";
    private static final String ID_C = "44ca41b8de8e66e276075e35687d771ce264184e527bb9ed058fd58c452cd745";
    private static final String ID_D = "0de9537193cc0d5322652bf6d6254fa97ac90f97d5e45f27fd1f6dbfde9c4730";
    private static final String PAUSE = "1f3ef055464dcecb887d56e80b6d026c2263b21743f97b463bbf17c5638e95d8";
    private static final String ID_E = "9c61867387a4f6ac759928a80ac4e58ef17727fa53cf9340b40801d2ba9cbc3b";

    private static final String UID_1 = "b681ed63-f381-4edb-9bfe-a0ed6d59283f";
    private static final String UID_2 = "e7dfb775-ac66-464f-9264-7c2939a38a17";
    private static final String UID_3 = "e17f297a-dd30-4133-8c74-ec6afe94c925";
    // a static pod's kubelet UID is its config hash, not a UUID
    private static final String STATIC_UID = "5e1a8c0a0b9c2f1d8e7f6a5b4c3d2e1f";

    private static String underscored(String uid) {
        return uid.replace('-', '_');
    }

    private static ContainerIdentity pod(String uid, String id, String runtime, QosClass qos) {
        return new ContainerIdentity("", uid, id, uid, id, runtime, qos);
    }

    static Stream<Arguments> podCgroups() {
        String burstable1 = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + underscored(UID_1) + ".slice";
        String besteffort3 = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + underscored(UID_3) + ".slice";
        return Stream.of(
                Arguments.of("systemd, containerd, burstable",
                        burstable1 + "/cri-containerd-" + ID_A + ".scope",
                        pod(UID_1, ID_A, "containerd", QosClass.BURSTABLE)),
                Arguments.of("systemd, containerd, sandbox (pause) container",
                        burstable1 + "/cri-containerd-" + PAUSE + ".scope",
                        pod(UID_1, PAUSE, "containerd", QosClass.BURSTABLE)),
                Arguments.of("systemd, containerd, guaranteed pod directly under kubepods.slice",
                        "/kubepods.slice/kubepods-pod" + underscored(UID_2) + ".slice/cri-containerd-" + ID_B + ".scope",
                        pod(UID_2, ID_B, "containerd", QosClass.GUARANTEED)),
                Arguments.of("systemd, CRI-O, besteffort",
                        besteffort3 + "/crio-" + ID_C + ".scope",
                        pod(UID_3, ID_C, "cri-o", QosClass.BEST_EFFORT)),
                Arguments.of("systemd, CRI-O conmon of a container",
                        besteffort3 + "/crio-conmon-" + ID_C + ".scope",
                        pod(UID_3, ID_C, "cri-o", QosClass.BEST_EFFORT)),
                Arguments.of("systemd, CRI-O with crun's sub-cgroup on cgroup v2",
                        besteffort3 + "/crio-" + ID_C + ".scope/container",
                        pod(UID_3, ID_C, "cri-o", QosClass.BEST_EFFORT)),
                Arguments.of("systemd, Docker (cri-dockerd)",
                        burstable1 + "/docker-" + ID_D + ".scope",
                        pod(UID_1, ID_D, "docker", QosClass.BURSTABLE)),
                Arguments.of("systemd, the pod's own cgroup",
                        burstable1,
                        new ContainerIdentity("", UID_1, "", UID_1, "", "", QosClass.BURSTABLE)),
                Arguments.of("systemd, kind's --cgroup-root=/kubelet",
                        "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
                                + underscored(UID_3) + ".slice/cri-containerd-" + ID_E + ".scope",
                        pod(UID_3, ID_E, "containerd", QosClass.BEST_EFFORT)),
                Arguments.of("systemd, static pod named by its config hash",
                        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + STATIC_UID
                                + ".slice/cri-containerd-" + ID_A + ".scope",
                        pod(STATIC_UID, ID_A, "containerd", QosClass.BURSTABLE)),
                Arguments.of("systemd, unknown child of a pod keeps its name",
                        burstable1 + "/unexpected",
                        new ContainerIdentity("", UID_1, "unexpected", UID_1, "", "", QosClass.BURSTABLE)),
                Arguments.of("cgroupfs, burstable, bare id (containerd or Docker)",
                        "/kubepods/burstable/pod" + UID_1 + "/" + ID_A,
                        pod(UID_1, ID_A, "", QosClass.BURSTABLE)),
                Arguments.of("cgroupfs, guaranteed pod directly under kubepods",
                        "/kubepods/pod" + UID_2 + "/" + ID_B,
                        pod(UID_2, ID_B, "", QosClass.GUARANTEED)),
                Arguments.of("cgroupfs, besteffort, CRI-O",
                        "/kubepods/besteffort/pod" + UID_3 + "/crio-" + ID_C,
                        pod(UID_3, ID_C, "cri-o", QosClass.BEST_EFFORT)),
                Arguments.of("cgroupfs, besteffort, the pod's own cgroup",
                        "/kubepods/besteffort/pod" + UID_3,
                        new ContainerIdentity("", UID_3, "", UID_3, "", "", QosClass.BEST_EFFORT)),
                Arguments.of("cgroupfs, custom cgroup root, trailing slash",
                        "/kubelet/kubepods/burstable/pod" + UID_1 + "/" + ID_E + "/",
                        pod(UID_1, ID_E, "", QosClass.BURSTABLE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podCgroups")
    void podCgroupIsLabelledWithPodUidAndContainerId(String layout, String path, ContainerIdentity expected) {
        ContainerIdentity identity = CgroupPaths.parse(path);

        assertEquals(expected, identity);
        assertTrue(identity.isPod());
    }

    static Stream<Arguments> nonPodCgroups() {
        return Stream.of(
                Arguments.of("/system.slice/mariadb.service", ContainerIdentity.nonPod("mariadb.service")),
                Arguments.of("/system.slice/containerd.service", ContainerIdentity.nonPod("containerd.service")),
                Arguments.of("/init.scope", ContainerIdentity.nonPod("init.scope")),
                Arguments.of("/user.slice/user-1000.slice/session-3.scope", ContainerIdentity.nonPod("session-3.scope")),
                Arguments.of("/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-6e4b.scope",
                        ContainerIdentity.nonPod("vte-spawn-6e4b.scope")),
                Arguments.of("/system.slice/mariadb.service/delegated-child", ContainerIdentity.nonPod("mariadb.service")),
                Arguments.of("/machine.slice/libpod-" + ID_E + ".scope/container",
                        ContainerIdentity.nonPod("libpod-" + ID_E + ".scope")),
                Arguments.of("/kubepods.slice/kubepods-burstable.slice", ContainerIdentity.nonPod("kubepods-burstable.slice")),
                Arguments.of("/kubepods/burstable", ContainerIdentity.nonPod("/kubepods/burstable")),
                Arguments.of("/pod" + UID_1 + "/" + ID_A, ContainerIdentity.nonPod("/pod" + UID_1 + "/" + ID_A)),
                Arguments.of("/lxc.payload.web01", ContainerIdentity.nonPod("/lxc.payload.web01")),
                Arguments.of("/", ContainerIdentity.nonPod("/")),
                Arguments.of("", ContainerIdentity.nonPod("/")),
                Arguments.of("/system.slice/docker-" + ID_D + ".scope",
                        new ContainerIdentity("", "", "docker-" + ID_D + ".scope", "", ID_D, "docker", QosClass.NONE)),
                Arguments.of("/docker/" + ID_D,
                        new ContainerIdentity("", "", "/docker/" + ID_D, "", ID_D, "docker", QosClass.NONE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonPodCgroups")
    void nonPodCgroupIsLabelledWithUnitOrPath(String path, ContainerIdentity expected) {
        ContainerIdentity identity = CgroupPaths.parse(path);

        assertEquals(expected, identity);
        assertFalse(identity.isPod());
    }

    @ParameterizedTest
    @MethodSource("malformedContainerScopes")
    void malformedContainerIdIsNotTakenForAnId(String child) {
        String path = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + underscored(UID_3) + ".slice/" + child;

        ContainerIdentity identity = CgroupPaths.parse(path);

        assertEquals("", identity.containerId());
        assertEquals(child, identity.container());
        assertEquals(UID_3, identity.podUid());
    }

    static Stream<String> malformedContainerScopes() {
        return Stream.of(
                "cri-containerd-" + ID_A.substring(0, 12) + ".scope",
                "crio-" + ID_C.toUpperCase() + ".scope",
                "docker-" + ID_D + "0.scope",
                ID_A.substring(1));
    }

    @Test
    void nullPathIsRejected() {
        assertThrows(NullPointerException.class, () -> CgroupPaths.parse(null));
    }
}
