/** The labels on every labgym container: what `sandbox gc` and the orphan sweep recognise. */
export const LABELS = {
  sandbox: 'labgym.sandbox',
  ownerPid: 'labgym.owner-pid',
  ownerHost: 'labgym.owner-host',
  createdAt: 'labgym.created-at',
} as const;
