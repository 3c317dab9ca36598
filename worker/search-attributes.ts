import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ConfigError } from './config';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
const indexedType = {
  [SearchAttributeType.KEYWORD]: INDEXED.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: INDEXED.INDEXED_VALUE_TYPE_INT,
};
const cliType = { [SearchAttributeType.KEYWORD]: 'Keyword', [SearchAttributeType.INT]: 'Int' };

type Operator = Pick<Connection, 'operatorService'>;
type PipelineKey = { name: string; type: typeof SearchAttributeType.KEYWORD | typeof SearchAttributeType.INT };

/**
 * Registers the pipeline's search attributes that the namespace lacks; returns the names it
 * added. (The dev server's `--search-attribute` flags only apply when it creates its database,
 * and an unregistered attribute would fail every run's workflow task.)
 */
export async function ensureSearchAttributes(connection: Operator, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = (PIPELINE_SEARCH_ATTRIBUTES as PipelineKey[]).filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, indexedType[key.type]]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    const commands = missing.map(
      (key) => `  temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${cliType[key.type]}`,
    );
    const cloud = missing.map((key) => `--search-attribute "${key.name}=${cliType[key.type]}"`).join(' ');
    throw new ConfigError(
      [
        `the namespace ${namespace} lacks the search attributes ${missing.map((key) => key.name).join(', ')}, and this worker may not add them (${error instanceof Error ? error.message : String(error)}).`,
        'Every run would stall without them. Create them once, then start the worker again:',
        ...commands,
        'On Temporal Cloud, on the namespace page of the Cloud UI, or:',
        `  tcld namespace search-attributes add --namespace ${namespace} ${cloud}`,
      ].join('\n'),
    );
  }
  return missing.map((key) => key.name);
}
