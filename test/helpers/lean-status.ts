/** For the tests of the lean `dura status` path (cli-status-fast.test.ts, cli-status-fast-server.test.ts). */

// What the lean path must not load: the SDK (and its gRPC library and protobuf reflection), commander, zod.
export const HEAVY =
  /node_modules\/(@temporalio|@grpc|commander|zod)\/|protobufjs\/src\/(root|type|parse)\.js|client\/agreement-handle/;
