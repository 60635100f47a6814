/** Organizations adapter: the organization's accounts. */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { collectItems } from './call.js';
import { loadSdk } from './sdk-modules.js';

/** A member account of the organization. */
export interface OrgAccount {
  id: string;
  name: string;
}

/**
 * The organization's ACTIVE accounts (suspended, closing and pending ones
 * cannot be scanned). Works from the management account or a delegated
 * administrator. `State` replaces the retired `Status`; either is read.
 */
export async function listActiveAccounts(client: OrganizationsClient): Promise<OrgAccount[]> {
  const { paginateListAccounts } = await loadSdk('client-organizations');
  const accounts = await collectItems(paginateListAccounts({ client }, {}), (page) => page.Accounts ?? []);
  return accounts.filter((a) => (a.State ?? a.Status) === 'ACTIVE' && a.Id).map((a) => ({ id: a.Id as string, name: a.Name ?? '' }));
}
