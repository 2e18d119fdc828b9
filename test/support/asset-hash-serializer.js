// Snapshot serializer: replaces CDK asset hashes (64 hex chars) so snapshots survive handler edits.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (val) => typeof val === 'string' && HASH.test(val) && (HASH.lastIndex = 0, true),
  serialize: (val) => JSON.stringify(val.replace(HASH, '[ASSET-HASH]')),
};
