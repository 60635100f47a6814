#!/usr/bin/env node
// The Node-20 notice from the AWS SDK is noise for a CLI user; they cannot act on it per run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../dist/cli/main.js');
