#!/usr/bin/env node
// The Node-20 notice from the AWS SDK is noise for a CLI user; they cannot act on it per run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// V8's code cache on disk (Node 22.1 and later; Node 20 has no such API): later runs skip compiling what they load.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli/main.js');
