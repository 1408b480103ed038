"""A stand-in Kubernetes API server for benchmarks/heap-floor.sh: lists PODS pods on node NODE, as an API
server would answer the exporter's informer (GET /api/v1/pods?fieldSelector=spec.nodeName=NODE), then
holds every watch open without events. A list with limit=N is answered in pages of N pods, each but the
last with a continue token, as an API server does.

    python3 fake_kube_api.py PORT PODS NODE

The pods are of a realistic, rather heavy kind (about 15 KB of JSON each): two containers with 20
environment variables each, probes, resources, a projected service-account volume, a
last-applied-configuration annotation, the managedFields of kube-controller-manager and the kubelet,
five conditions and two container statuses. The kubelet's default limit is 110 pods per node.
"""
import json
import sys
import time
import uuid
from urllib.parse import parse_qs, urlparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

N = int(sys.argv[2])
NODE = sys.argv[3]


def pod(i):
    name = f"app-{i:03d}-7d9f8c6b5-x{i:04d}"
    ns = f"team-{i % 12}"
    uid = str(uuid.uuid4())
    labels = {"app.kubernetes.io/name": f"app-{i:03d}", "app.kubernetes.io/instance": f"app-{i:03d}-prod",
              "app.kubernetes.io/part-of": "shop", "pod-template-hash": "7d9f8c6b5", "team": f"team-{i%12}"}
    ann = {"kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z", "prometheus.io/scrape": "true",
           "prometheus.io/port": "8080", "checksum/config": "a" * 64,
           "kubectl.kubernetes.io/last-applied-configuration": json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": labels, "name": name}, "spec": {"containers": [{"name": "main", "image": "registry.example.com/shop/app:1.2.3", "env": [{"name": f"VAR_{k}", "value": "x" * 30} for k in range(20)]}]}})}
    def container(cname):
        return {"name": cname, "image": f"registry.example.com/shop/{cname}:1.2.3", "imagePullPolicy": "IfNotPresent",
                "args": ["--config=/etc/app/config.yaml", "--log-level=info", "--port=8080"],
                "env": [{"name": f"VAR_{k}", "value": "value-" + "x" * 24} for k in range(20)] + [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
                "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}, {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "livenessProbe": {"httpGet": {"path": "/live", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}, {"name": "kube-api-access-abcde", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
    def status(cname):
        return {"name": cname, "ready": True, "restartCount": 0, "started": True, "image": f"registry.example.com/shop/{cname}:1.2.3",
                "imageID": f"registry.example.com/shop/{cname}@sha256:" + "b" * 64, "containerID": "containerd://" + uuid.uuid4().hex + uuid.uuid4().hex,
                "state": {"running": {"startedAt": "2026-11-20T10:00:05Z"}}, "lastState": {}}
    names = ["main", "sidecar"]
    managed = [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2026-11-20T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {f"f:{k}": {} for k in labels}, "f:ownerReferences": {".": {}, f"k:{{\"uid\":\"{uid}\"}}": {}}},
                             "f:spec": {"f:containers": {f"k:{{\"name\":\"{c}\"}}": {".": {}, "f:env": {f"k:{{\"name\":\"VAR_{k}\"}}": {".": {}, "f:name": {}, "f:value": {}} for k in range(20)}, "f:image": {}, "f:name": {}, "f:ports": {}, "f:resources": {}} for c in names}}}},
               {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2026-11-20T10:00:06Z", "fieldsType": "FieldsV1", "subresource": "status",
                "fieldsV1": {"f:status": {"f:conditions": {f"k:{{\"type\":\"{t}\"}}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}} for t in ["Ready", "ContainersReady", "Initialized", "PodScheduled", "PodReadyToStartContainers"]}, "f:containerStatuses": {}, "f:hostIP": {}, "f:podIP": {}, "f:podIPs": {}, "f:startTime": {}}}}]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "uid": uid, "resourceVersion": str(1000 + i), "creationTimestamp": "2026-11-20T10:00:00Z",
                         "generateName": name[:-5], "labels": labels, "annotations": ann, "managedFields": managed,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name[:-6], "uid": str(uuid.uuid4()), "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"nodeName": NODE, "containers": [container(c) for c in names], "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                     "serviceAccountName": "default", "serviceAccount": "default", "securityContext": {"fsGroup": 1000}, "schedulerName": "default-scheduler", "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}, {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
                     "volumes": [{"name": "config", "configMap": {"name": f"app-{i:03d}-config", "defaultMode": 420}},
                                 {"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}, {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}, {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}]},
            "status": {"phase": "Running", "hostIP": "10.0.0.5", "podIP": f"10.244.1.{i % 250}", "podIPs": [{"ip": f"10.244.1.{i % 250}"}], "startTime": "2026-11-20T10:00:00Z", "qosClass": "Burstable",
                       "conditions": [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": "2026-11-20T10:00:06Z"} for t in ["Ready", "ContainersReady", "Initialized", "PodScheduled", "PodReadyToStartContainers"]],
                       "containerStatuses": [status(c) for c in names]}}


PODS = [pod(i) for i in range(N)]


def pod_list(items, cont=None):
    meta = {"resourceVersion": "5000"}
    if cont:
        meta["continue"] = cont
    return json.dumps({"apiVersion": "v1", "kind": "PodList", "metadata": meta, "items": items}).encode()


BODY = pod_list(PODS)
print(f"fake API server: {N} pods, {len(BODY)} bytes of PodList, {len(BODY) // max(N, 1)} per pod; pages on limit=", flush=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if "watch=true" in self.path or "watch=1" in self.path:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:  # a watch with no events; ends when the client goes
                time.sleep(3600)
        query = parse_qs(urlparse(self.path).query)
        body = BODY
        if "limit" in query and int(query["limit"][0]) > 0:
            # the continue token here is just the index of the next pod
            start = int(query.get("continue", ["0"])[0])
            end = start + int(query["limit"][0])
            body = pod_list(PODS[start:end], str(end) if end < N else None)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
