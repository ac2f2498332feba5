#!/usr/bin/env bash
# Renders every kustomization under deploy/k8s with the kubectl given (default: kubectl on
# PATH) and checks the output: parseable YAML, and in every Deployment the steerd sidecar
# sits under initContainers with restartPolicy: Always, after model-fetch, with gRPC probes.
#   deploy/k8s/verify.sh                       # kubectl on PATH (kustomize v5)
#   KUBECTL=/tmp/kc-old/usr/bin/kubectl deploy/k8s/verify.sh   # kubectl 1.20, kustomize v2.0.3
# Needs python3 with PyYAML.
set -euo pipefail
cd "$(dirname "$0")"
KUBECTL="${KUBECTL:-kubectl}"
status=0
for dir in base monitoring overlays/cpu-monitored overlays/gpu; do
  if ! out="$("$KUBECTL" kustomize "$dir")"; then
    echo "FAIL $dir: kustomize failed" >&2
    status=1
    continue
  fi
  if ! printf '%s\n' "$out" | python3 -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
assert docs, "empty render"
want_gpu = sys.argv[1].endswith("gpu")
for d in docs:
    if d["kind"] != "Deployment":
        continue
    spec = d["spec"]["template"]["spec"]
    names = [c["name"] for c in spec.get("initContainers", [])]
    assert "steerd" in names, "steerd is not under initContainers"
    assert "steerd" not in [c["name"] for c in spec["containers"]], "steerd is a regular container"
    if "model-fetch" in names:
        assert names.index("model-fetch") < names.index("steerd"), "model-fetch must precede steerd"
    s = spec["initContainers"][names.index("steerd")]
    assert s.get("restartPolicy") == "Always", "steerd lacks restartPolicy: Always"
    for p in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert s[p]["grpc"]["port"] == 50051, p + " is not a gRPC probe on 50051"
    assert "--host=0.0.0.0" in s["args"], "gRPC must bind 0.0.0.0 for kubelet probes"
    assert any(p.get("name") == "metrics" for p in s["ports"]), "no metrics port"
    gpu = s["resources"]["limits"].get("nvidia.com/gpu")
    device = {e["name"]: e.get("value") for e in s["env"]}["STEERD_DEVICE"]
    assert (gpu is not None) == want_gpu and (device == "cuda") == want_gpu, "GPU settings wrong"
print(len(docs), "objects:", ", ".join(d["kind"] for d in docs))
' "$dir"; then
    echo "FAIL $dir" >&2
    status=1
  else
    echo "ok   $dir"
  fi
done
exit $status
