import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
const indexedType = { [SearchAttributeType.KEYWORD]: INDEXED.INDEXED_VALUE_TYPE_KEYWORD, [SearchAttributeType.INT]: INDEXED.INDEXED_VALUE_TYPE_INT };

/**
 * Registers the pipeline's search attributes that the namespace lacks. The dev server's
 * `--search-attribute` flags only apply when it creates its database, so an embedded run on an
 * existing .data/temporal.db needs this; returns the names it added.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = PIPELINE_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, indexedType[key.type as keyof typeof indexedType]]));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  return missing.map((key) => key.name);
}
