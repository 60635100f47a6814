/**
 * Client settings that every SDK client would otherwise look up for itself:
 * the environment, then the shared config files, then a default, raising and
 * catching an error at each miss. A plan builds a client per service and
 * region (200 and more over 20 regions), each looking the same values up
 * again; these are looked up once per run and handed to every client.
 *
 * Only settings that do not depend on the client's service or region are
 * shared, and each is passed as the SDK's own lookup (memoized), so the
 * client still applies its per-region rules on top (a FIPS region still
 * turns FIPS on).
 */
import type * as SmithyConfig from '@smithy/core/config';
import { createRequire } from 'node:module';

/** The lookups every client is given instead of making its own. */
export interface SharedLookups {
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
}

/** The shared lookups for a profile (undefined: AWS_PROFILE or the default), made lazily when first asked. */
export function sharedLookups(profile: string | undefined): SharedLookups {
  // require, not import(): the SDK's clients load this CommonJS module with require already (see sdk-modules.ts).
  const config = createRequire(import.meta.url)('@smithy/core/config') as typeof SmithyConfig;
  const init = profile ? { profile } : {};
  return {
    useFipsEndpoint: config.loadConfig(config.NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, init),
    useDualstackEndpoint: config.loadConfig(config.NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, init),
  };
}
