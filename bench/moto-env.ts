/** What every moto benchmark does first: check moto_server is there, and use fake credentials only. */
import { MOTO_INSTALL, motoAvailable } from '../test/support/moto-server.js';

/** False (exit code 2 set, reason printed) when moto_server is missing; else sets fake credentials and quiet SDK notices. */
export function prepareMotoBench(): boolean {
  if (!motoAvailable()) {
    process.stderr.write(`moto_server is not installed; install it with: ${MOTO_INSTALL}\n`);
    process.exitCode = 2;
    return false;
  }
  // Fake credentials, and no IMDS probing should anything fall through the chain.
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_SESSION_TOKEN;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return true;
}
