import type { Filter, ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';

/** EC2 tags as a plain object: `{ Name: 'neo4j-data', Environment: 'prod' }`. */
export type TagMap = Record<string, string>;

/** EC2's `[{Key, Value}]` list as a {@link TagMap}. */
export function tagMap(tags: readonly Tag[] | undefined): TagMap {
  const map: TagMap = {};
  for (const t of tags ?? []) {
    if (t.Key !== undefined) map[t.Key] = t.Value ?? '';
  }
  return map;
}

export function toTags(map: TagMap): Tag[] {
  return Object.entries(map).map(([Key, Value]) => ({ Key, Value }));
}

/** One `tag:<key>` filter per entry: DescribeVolumes/DescribeSnapshots match all of them. */
export function tagFilters(map: TagMap): Filter[] {
  return Object.entries(map).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}

/** Tags applied atomically at creation, so a resource is never visible untagged. */
export function tagSpecifications(resourceType: ResourceType, map: TagMap): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: toTags(map) }];
}
