#!/usr/bin/env node
// steerd end-to-end example: extract a steering vector, generate with and
// without it, and clean up.
//
// Usage: node steer_example.js [ADDR]   (ADDR: argument, else $STEERD_ADDR,
//                                         else localhost:50051)
//
// Steps:
//   1. Wait (up to HEALTH_WAIT_MS) for grpc.health.v1 to report
//      steerd.v1.SteerService SERVING.
//   2. ExtractVector from a handful of happy-vs-sad contrast pairs under the
//      id example-node-<pid>.
//   3. Generate greedily (temperature 0) twice, without edits and with an ADD
//      edit of that vector, consuming both server streams.
//   4. Check that each stream had more than one message and ended in a
//      summary, and that the two texts differ; print both.
//   5. Delete the vector (always, in a finally).
// Exit status 0 on success, 1 with a message on any failed check or RPC
// error.
//
// The protos are loaded at run time with @grpc/proto-loader from the
// repository (../../../proto/src/main/proto relative to this file), so there
// is no code generation step. google/protobuf/timestamp.proto, which
// steering.proto imports, is built into protobufjs and resolved by
// proto-loader without an include directory.
//
// Health: @grpc/grpc-js has no health client, so the health.proto that the
// grpc team's grpc-health-check package ships (its `protoPath` export) is
// loaded the same way; the package's server-side implementation is unused.

'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { protoPath: HEALTH_PROTO } = require('grpc-health-check');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto', 'src', 'main', 'proto');
const DEFAULT_ADDR = 'localhost:50051';
const HEALTH_WAIT_MS = 10000; // total time to wait for the server to be SERVING
const HEALTH_TRY_MS = 2000; // deadline of each health Check
const EXTRACT_DEADLINE_MS = 60000;
const GENERATE_DEADLINE_MS = 60000;
const VECTOR_DEADLINE_MS = 10000; // DeleteVector

// Contrast pairs that give a usable "happy minus sad" direction on
// stories260K (a subset of probes/tinystories/contrast-pairs.jsonl).
const PAIRS = [
  ['The children were happy and played together all day.',
    'The children were sad and fought all day.'],
  ['The sun was shining and everyone felt happy and loved.',
    'The storm was loud and everyone felt sad and alone.'],
  ['At the end, they all laughed and had a happy day.',
    'At the end, they all cried and had a terrible day.'],
  ['Anna gave her friend a big hug and a smile.',
    'Anna pushed her friend down and ran away.'],
  ['Lily was kind. She shared her toys and helped her friends.',
    'Lily was mean. She took the toys and hurt her friends.'],
];
const PROMPT = ''; // BOS only: the model's own story
const MAX_TOKENS = 60;
const EDIT_LAYERS = [3];
const EDIT_COEFFICIENT = 2.0;

// Field names as in the .proto files (keepCase); enums as their names;
// unset scalars decoded as their proto3 defaults (layer 0 shows as 0);
// oneofs: a virtual property naming the member that is set (response.event).
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

class ExampleFailure extends Error {}

function statusName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) || String(code);
}

function isRpcError(e) {
  return e && typeof e.code === 'number' && 'details' in e;
}

function deadline(ms) {
  return { deadline: Date.now() + ms };
}

function unary(client, method, request, ms) {
  return new Promise((resolve, reject) => {
    client[method](request, deadline(ms), (err, response) => (err ? reject(err) : resolve(response)));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForServing(health, service) {
  const giveUp = Date.now() + HEALTH_WAIT_MS;
  for (;;) {
    // No waitForReady: an unreachable address fails at once with UNAVAILABLE
    // (whose details say why), and we retry until giveUp, so a server that
    // is still starting is waited for.
    let lastError = null;
    let state = null;
    try {
      const response = await unary(health, 'Check', { service }, HEALTH_TRY_MS);
      if (response.status === 'SERVING') return;
      state = `health status ${response.status}`;
    } catch (e) {
      if (!isRpcError(e) || ![grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(e.code)) throw e;
      lastError = e;
    }
    if (Date.now() >= giveUp) {
      if (lastError) {
        throw new ExampleFailure(`no health answer for ${service} within ${HEALTH_WAIT_MS / 1000}s: `
          + `${statusName(lastError.code)}: ${lastError.details}`);
      }
      throw new ExampleFailure(`${service} not SERVING after ${HEALTH_WAIT_MS / 1000}s: ${state}`);
    }
    await sleep(500);
  }
}

// Runs one greedy Generate, consuming the stream; resolves to the text.
function generate(stub, edits, label) {
  const request = { prompt: PROMPT, max_tokens: MAX_TOKENS, temperature: 0, edits };
  return new Promise((resolve, reject) => {
    let messages = 0;
    const pieces = [];
    let summary = null;
    let ended = false;
    let status = null;
    let settled = false;
    const fail = (e) => {
      if (!settled) { settled = true; call.cancel(); reject(e); }
    };
    const finish = () => {
      // Both the end of the messages and an OK status.
      if (settled || !ended || !status) return;
      settled = true;
      if (!summary) return reject(new ExampleFailure(`${label}: stream ended without a summary`));
      if (messages <= 1) {
        return reject(new ExampleFailure(`${label}: expected more than one streamed message, got ${messages}`));
      }
      const streamed = pieces.join('');
      if (streamed !== summary.text) {
        return reject(new ExampleFailure(`${label}: streamed tokens ${JSON.stringify(streamed)} `
          + `differ from the summary text ${JSON.stringify(summary.text)}`));
      }
      console.log(`${label} (${messages} messages, ${summary.generated_tokens} tokens, `
        + `finish ${summary.finish_reason}):\n  ${summary.text}`);
      resolve(summary.text);
    };
    const call = stub.Generate(request, deadline(GENERATE_DEADLINE_MS));
    call.on('data', (response) => {
      messages += 1;
      if (summary) return fail(new ExampleFailure(`${label}: message after the summary`));
      if (response.event === 'token') pieces.push(response.token.text || '');
      else if (response.event === 'summary') summary = response.summary;
      else fail(new ExampleFailure(`${label}: stream message with no event`));
    });
    call.on('error', fail); // a non-OK status
    call.on('end', () => { ended = true; finish(); });
    call.on('status', (s) => { if (s.code === grpc.status.OK) { status = s; finish(); } });
  });
}

async function run(addr) {
  const steerd = grpc.loadPackageDefinition(protoLoader.loadSync(
    ['steerd/v1/steerd.proto'], { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] })).steerd.v1;
  const healthPkg = grpc.loadPackageDefinition(protoLoader.loadSync(
    HEALTH_PROTO, LOADER_OPTIONS)).grpc.health.v1;

  const credentials = grpc.credentials.createInsecure();
  const health = new healthPkg.Health(addr, credentials);
  // The same channel for both clients.
  const stub = new steerd.SteerService(addr, credentials, { channelOverride: health.getChannel() });
  const vectorId = `example-node-${process.pid}`;
  try {
    await waitForServing(health, 'steerd.v1.SteerService');
    console.log(`server at ${addr} is SERVING`);

    // Whatever happens after ExtractVector is sent, the vector may exist:
    // delete it. If the body failed, report that failure, not the cleanup's.
    let failed = true;
    try {
      // overwrite: a crashed earlier run with the same pid may have left the
      // id behind; the id is per-run, so nothing else uses it.
      const vector = await unary(stub, 'ExtractVector', {
        id: vectorId,
        pairs: PAIRS.map(([positive, negative]) => ({ positive, negative })),
        method: 'MEAN_DIFFERENCE',
        description: 'steer_example.js: happy minus sad',
        overwrite: true,
      }, EXTRACT_DEADLINE_MS);
      console.log(`extracted ${vector.id} over layers [${vector.layers.map((l) => l.layer).join(', ')}] `
        + `from ${vector.extraction.pair_count} pairs`);

      const plain = await generate(stub, [], 'without edits');
      // UNIT: add exactly EDIT_COEFFICIENT of norm, whatever the extracted vector's own norm.
      const edit = {
        vector_id: vectorId, layers: EDIT_LAYERS, coefficient: EDIT_COEFFICIENT, operation: 'ADD',
        normalization: 'UNIT',
      };
      const steered = await generate(stub, [edit],
        `with ADD ${vectorId} layers=[${EDIT_LAYERS.join(', ')}] coef=${EDIT_COEFFICIENT} norm=unit`);
      if (plain === steered) throw new ExampleFailure('the steered text is identical to the unsteered one');
      console.log('OK: the edit changed the text');
      failed = false;
    } finally {
      try {
        await unary(stub, 'DeleteVector', { id: vectorId }, VECTOR_DEADLINE_MS);
        console.log(`deleted ${vectorId}`);
      } catch (e) {
        if (!failed) throw e;
        if (!isRpcError(e) || e.code !== grpc.status.NOT_FOUND) { // NOT_FOUND: never stored
          console.error(`warning: could not delete ${vectorId}: `
            + (isRpcError(e) ? `${statusName(e.code)}: ${e.details}` : e));
        }
      }
    }
  } finally {
    stub.close();
    health.close();
  }
}

async function main() {
  const addr = process.argv[2] || process.env.STEERD_ADDR || DEFAULT_ADDR;
  try {
    await run(addr);
    return 0;
  } catch (e) {
    if (isRpcError(e)) {
      console.error(`FAILED: RPC error from ${addr}: ${statusName(e.code)}: ${e.details}`);
    } else if (e instanceof ExampleFailure) {
      console.error(`FAILED: ${e.message}`);
    } else {
      console.error('FAILED:', e);
    }
    return 1;
  }
}

main().then((code) => { process.exitCode = code; });
