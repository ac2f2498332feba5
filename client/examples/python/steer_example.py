#!/usr/bin/env python3
"""steerd end-to-end example: extract a steering vector, generate with and
without it, and clean up.

Usage: steer_example.py [ADDR]     (ADDR: argument, else $STEERD_ADDR, else
                                    localhost:50051)

Steps:
  1. Wait (up to HEALTH_WAIT_S) for grpc.health.v1 to report
     steerd.v1.SteerService SERVING.
  2. ExtractVector from a handful of happy-vs-sad contrast pairs under the id
     example-python-<pid>.
  3. Generate greedily (temperature 0) twice, without edits and with an ADD
     edit of that vector, consuming both server streams.
  4. Check that each stream had more than one message and ended in a summary,
     and that the two texts differ; print both.
  5. Delete the vector (always, in a finally).
Exit status 0 on success, 1 with a message on any failed check or RPC error.

Needs only Debian bookworm packages: python3-grpcio, python3-grpc-tools,
python3-protobuf. On first run (and whenever a .proto is newer than the last
run) the repository's protos (../../../proto/src/main/proto relative to this
file) are compiled into ./gen/steerd_v1.binpb, a FileDescriptorSet, from which
the message classes and the service stub are built at run time; see
"The API" below for why not the usual _pb2.py stubs.
"""

import fcntl
import glob
import os
import re
import shutil
import sys
import time
import types

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.internal import enum_type_wrapper

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto", "src", "main", "proto"))
GEN_DIR = os.path.join(HERE, "gen")

DEFAULT_ADDR = "localhost:50051"
HEALTH_WAIT_S = 10.0     # total time to wait for the server to be SERVING
HEALTH_TRY_S = 2.0       # deadline of each health Check
EXTRACT_DEADLINE_S = 60.0
GENERATE_DEADLINE_S = 60.0
VECTOR_DEADLINE_S = 10.0  # DeleteVector

# Contrast pairs that give a usable "happy minus sad" direction on
# stories260K (a subset of probes/tinystories/contrast-pairs.jsonl).
PAIRS = [
    ("The children were happy and played together all day.",
     "The children were sad and fought all day."),
    ("The sun was shining and everyone felt happy and loved.",
     "The storm was loud and everyone felt sad and alone."),
    ("At the end, they all laughed and had a happy day.",
     "At the end, they all cried and had a terrible day."),
    ("Anna gave her friend a big hug and a smile.",
     "Anna pushed her friend down and ran away."),
    ("Lily was kind. She shared her toys and helped her friends.",
     "Lily was mean. She took the toys and hurt her friends."),
]
PROMPT = ""        # BOS only: the model's own story
MAX_TOKENS = 60
EDIT_LAYERS = [3]
EDIT_COEFFICIENT = 2.0


class ExampleFailure(Exception):
    pass


# ---------------------------------------------------------------------------
# The API, from the repository's .proto files
#
# Why a descriptor set and not generated _pb2.py stubs: python3-grpc-tools
# 1.14 bundles protoc 3.5.1, which predates proto3 `optional` (3.12+) and
# rejects steerd.proto ("Explicit 'optional' labels are disallowed"). So:
#   1. copy the protos into ./gen/src with each `optional T x = n;` rewritten
#      to its exact descriptor-level equivalent, a one-field oneof `_x`
#      (which is how protoc itself represents proto3 optional);
#   2. have the old protoc write a FileDescriptorSet (--include_imports, so
#      google/protobuf/timestamp.proto, shipped with grpc_tools, is included);
#   3. at run time, mark those fields proto3_optional again, so the
#      descriptors are what a current protoc emits, and build the classes
#      with protobuf's message factory. Field presence (temperature = 0 is
#      sent, not dropped as a default) and the wire format are the real ones.
# This also avoids depending on protobuf 4.21 accepting _pb2.py code emitted
# by protoc 3.5.

OPTIONAL_FIELD = re.compile(
    r"^(\s*)optional\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;")
DESCRIPTOR_SET = os.path.join(GEN_DIR, "steerd_v1.binpb")
OPTIONALS = os.path.join(GEN_DIR, "proto3_optional.txt")


def _protos():
    files = sorted(glob.glob(os.path.join(PROTO_ROOT, "steerd", "v1", "*.proto")))
    if not files:
        raise ExampleFailure("no .proto files under %s" % os.path.join(PROTO_ROOT, "steerd", "v1"))
    return files


def _generated_fresh(protos):
    if not os.path.exists(DESCRIPTOR_SET) or not os.path.exists(OPTIONALS):
        return False
    made = os.path.getmtime(DESCRIPTOR_SET)
    return all(os.path.getmtime(p) <= made for p in protos + [os.path.abspath(__file__)])


def ensure_descriptor_set():
    """Compiles the protos into ./gen unless it is newer than all of them.

    A lock file serialises concurrent first runs; the output is written to a
    temporary directory that replaces ./gen only when complete.
    """
    protos = _protos()
    if _generated_fresh(protos):
        return
    with open(os.path.join(HERE, ".gen.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _generated_fresh(protos):  # another run generated it meanwhile
            return
        import grpc_tools
        from grpc_tools import protoc
        tmp = GEN_DIR + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        optionals = []
        names = []
        for path in protos:
            name = os.path.relpath(path, PROTO_ROOT)
            names.append(name)
            out = []
            with open(path, encoding="utf-8") as f:
                for line in f:
                    m = OPTIONAL_FIELD.match(line)
                    if m:
                        indent, type_, field, number, options = m.groups()
                        optionals.append("%s %s" % (name, field))
                        line = "%soneof _%s { %s %s = %s%s; }%s" % (
                            indent, field, type_, field, number,
                            " " + options if options else "", line[m.end():])
                    out.append(line)
            os.makedirs(os.path.dirname(os.path.join(tmp, "src", name)), exist_ok=True)
            with open(os.path.join(tmp, "src", name), "w", encoding="utf-8") as f:
                f.writelines(out)
        wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        rc = protoc.main(["grpc_tools.protoc", "-I" + os.path.join(tmp, "src"), "-I" + wkt,
                          "--include_imports",
                          "--descriptor_set_out=" + os.path.join(tmp, os.path.basename(DESCRIPTOR_SET))]
                         + names)
        if rc != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ExampleFailure("protoc failed (exit %d) on the protos in %s" % (rc, PROTO_ROOT))
        with open(os.path.join(tmp, os.path.basename(OPTIONALS)), "w") as f:
            f.write("".join(o + "\n" for o in optionals))
        shutil.rmtree(GEN_DIR, ignore_errors=True)
        os.rename(tmp, GEN_DIR)


def _health_file():
    """grpc.health.v1's two messages and Health.Check, as a descriptor.

    Debian's python3-grpcio has no grpc_health package and grpc_tools 1.14
    ships no grpc/health/v1/health.proto to generate it from, so the
    published schema (field 1 `service`; field 1 `status`, an enum with
    SERVING = 1) is declared here rather than vendoring the .proto or
    hand-encoding bytes.
    """
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="grpc/health/v1/health.proto", package="grpc.health.v1", syntax="proto3")
    req = fdp.message_type.add(name="HealthCheckRequest")
    req.field.add(name="service", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    resp = fdp.message_type.add(name="HealthCheckResponse")
    status = resp.enum_type.add(name="ServingStatus")
    for value, number in (("UNKNOWN", 0), ("SERVING", 1), ("NOT_SERVING", 2), ("SERVICE_UNKNOWN", 3)):
        status.value.add(name=value, number=number)
    resp.field.add(name="status", number=1, type=F.TYPE_ENUM, label=F.LABEL_OPTIONAL,
                   type_name=".grpc.health.v1.HealthCheckResponse.ServingStatus")
    fdp.service.add(name="Health").method.add(
        name="Check", input_type=".grpc.health.v1.HealthCheckRequest",
        output_type=".grpc.health.v1.HealthCheckResponse")
    return fdp


class Api:
    """A package's messages and top-level enum values as attributes
    (like a _pb2 module), plus stub(channel, service)."""

    def __init__(self, pool, files):
        self._pool = pool
        self._files = files
        factory = message_factory.MessageFactory(pool)
        make = getattr(message_factory, "GetMessageClass", None) or factory.GetPrototype
        self._make = make
        for fdp in files:
            package = fdp.package
            for m in fdp.message_type:
                setattr(self, m.name, make(pool.FindMessageTypeByName(package + "." + m.name)))
            for e in fdp.enum_type:
                wrapper = enum_type_wrapper.EnumTypeWrapper(pool.FindEnumTypeByName(package + "." + e.name))
                setattr(self, e.name, wrapper)
                for v in e.value:
                    setattr(self, v.name, v.number)

    def stub(self, channel, service):
        """An object with one callable per method of `service` (full name)."""
        for fdp in self._files:
            for s in fdp.service:
                if "%s.%s" % (fdp.package, s.name) == service:
                    break
            else:
                continue
            break
        else:
            raise ExampleFailure("service %s not in the protos" % service)
        stub = types.SimpleNamespace()
        for method in s.method:
            request = self._make(self._pool.FindMessageTypeByName(method.input_type.lstrip(".")))
            response = self._make(self._pool.FindMessageTypeByName(method.output_type.lstrip(".")))
            if method.client_streaming:
                raise ExampleFailure("%s.%s: client streaming is not needed here" % (service, method.name))
            call = channel.unary_stream if method.server_streaming else channel.unary_unary
            setattr(stub, method.name, call("/%s/%s" % (service, method.name),
                                            request_serializer=request.SerializeToString,
                                            response_deserializer=response.FromString))
        return stub


def load_api():
    """Returns (steerd, health): Api objects for steerd.v1 and grpc.health.v1."""
    ensure_descriptor_set()
    with open(DESCRIPTOR_SET, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file
    with open(OPTIONALS) as f:
        optionals = {tuple(line.split()) for line in f if line.strip()}
    for fdp in files:
        for message in _all_messages(fdp.message_type):
            for field in message.field:
                if (fdp.name, field.name) in optionals and field.HasField("oneof_index") \
                        and message.oneof_decl[field.oneof_index].name == "_" + field.name:
                    field.proto3_optional = True
    pool = descriptor_pool.DescriptorPool()
    for fdp in files:  # --include_imports lists dependencies first
        pool.Add(fdp)
    health = _health_file()
    pool.Add(health)
    return (Api(pool, [f for f in files if f.package == "steerd.v1"]), Api(pool, [health]))


def _all_messages(messages):
    for m in messages:
        yield m
        yield from _all_messages(m.nested_type)


# ---------------------------------------------------------------------------
# Health


def wait_for_serving(channel, health, service):
    check = health.stub(channel, "grpc.health.v1.Health").Check
    give_up = time.monotonic() + HEALTH_WAIT_S
    while True:
        # No wait_for_ready: an unreachable address fails at once with
        # UNAVAILABLE (whose details say why), and we retry until give_up, so
        # a server that is still starting is waited for.
        last_error = None
        try:
            response = check(health.HealthCheckRequest(service=service), timeout=HEALTH_TRY_S)
            if response.status == health.HealthCheckResponse.SERVING:
                return
            state = "health status %s" % health.HealthCheckResponse.ServingStatus.Name(response.status)
        except grpc.RpcError as e:
            if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
            last_error = e
        if time.monotonic() >= give_up:
            if last_error is not None:
                raise ExampleFailure("no health answer for %s within %.0fs: %s: %s" % (
                    service, HEALTH_WAIT_S, last_error.code().name, last_error.details()))
            raise ExampleFailure("%s not SERVING after %.0fs: %s" % (service, HEALTH_WAIT_S, state))
        time.sleep(0.5)


# ---------------------------------------------------------------------------
# Example


def generate(stub, pb, edits, label):
    """Runs one greedy Generate, consuming the stream; returns the text."""
    request = pb.GenerateRequest(prompt=PROMPT, max_tokens=MAX_TOKENS, temperature=0.0, edits=edits)
    messages = 0
    pieces = []
    summary = None
    for response in stub.Generate(request, timeout=GENERATE_DEADLINE_S):
        messages += 1
        if summary is not None:
            raise ExampleFailure("%s: message after the summary" % label)
        kind = response.WhichOneof("event")
        if kind == "token":
            pieces.append(response.token.text)
        elif kind == "summary":
            summary = response.summary
        else:
            raise ExampleFailure("%s: stream message with no event" % label)
    if summary is None:
        raise ExampleFailure("%s: stream ended without a summary" % label)
    if messages <= 1:
        raise ExampleFailure("%s: expected more than one streamed message, got %d" % (label, messages))
    streamed = "".join(pieces)
    if streamed != summary.text:
        raise ExampleFailure("%s: streamed tokens %r differ from the summary text %r"
                             % (label, streamed, summary.text))
    print("%s (%d messages, %d tokens, finish %s):\n  %s" % (
        label, messages, summary.generated_tokens,
        pb.FinishReason.Name(summary.finish_reason), summary.text))
    return summary.text


def run(addr):
    pb, health = load_api()

    vector_id = "example-python-%d" % os.getpid()
    with grpc.insecure_channel(addr) as channel:
        wait_for_serving(channel, health, "steerd.v1.SteerService")
        print("server at %s is SERVING" % addr)
        stub = pb.stub(channel, "steerd.v1.SteerService")
        # Whatever happens after ExtractVector is sent, the vector may exist:
        # delete it. If the body failed, report that failure, not the cleanup's.
        try:
            # overwrite: a crashed earlier run with the same pid may have left
            # the id behind; the id is per-run, so nothing else uses it.
            vector = stub.ExtractVector(pb.ExtractVectorRequest(
                id=vector_id,
                pairs=[pb.ContrastPair(positive=p, negative=n) for p, n in PAIRS],
                method=pb.MEAN_DIFFERENCE,
                description="steer_example.py: happy minus sad",
                overwrite=True), timeout=EXTRACT_DEADLINE_S)
            print("extracted %s over layers %s from %d pairs" % (
                vector.id, [l.layer for l in vector.layers], vector.extraction.pair_count))

            plain = generate(stub, pb, [], "without edits")
            # UNIT: add exactly EDIT_COEFFICIENT of norm, whatever the extracted vector's own norm.
            edit = pb.Edit(vector_id=vector_id, layers=EDIT_LAYERS,
                           coefficient=EDIT_COEFFICIENT, operation=pb.ADD,
                           normalization=pb.UNIT)
            steered = generate(stub, pb, [edit], "with ADD %s layers=%s coef=%g norm=unit"
                               % (vector_id, EDIT_LAYERS, EDIT_COEFFICIENT))
            if plain == steered:
                raise ExampleFailure("the steered text is identical to the unsteered one")
            print("OK: the edit changed the text")
        except BaseException:
            try:
                stub.DeleteVector(pb.DeleteVectorRequest(id=vector_id), timeout=VECTOR_DEADLINE_S)
                print("deleted %s" % vector_id)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.NOT_FOUND:  # NOT_FOUND: never stored
                    print("warning: could not delete %s: %s: %s"
                          % (vector_id, e.code().name, e.details()), file=sys.stderr)
            raise
        else:
            stub.DeleteVector(pb.DeleteVectorRequest(id=vector_id), timeout=VECTOR_DEADLINE_S)
            print("deleted %s" % vector_id)


def main(argv):
    addr = argv[1] if len(argv) > 1 else os.environ.get("STEERD_ADDR") or DEFAULT_ADDR
    try:
        run(addr)
    except grpc.RpcError as e:
        print("FAILED: RPC error from %s: %s: %s" % (addr, e.code().name, e.details()), file=sys.stderr)
        return 1
    except ExampleFailure as e:
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
