#!/usr/bin/env bash
# One-command device check for a machine with an NVIDIA GPU: build against ONNX Runtime's CUDA
# artifact, show the GPU, and run the serving benchmark on it (110M shape, then 15M).
# Needs Java 17, Maven, the NVIDIA driver, and CUDA 12 + cuDNN 9 libraries on the library path.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -Pcuda package -DskipTests
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
for shape in 110M 15M; do
  java -cp server/target/steerd-server.jar io.steerd.bench.Benchmark \
    --shape "$shape" --device cuda --out "target/bench/$shape-cuda.json" "$@"
done
