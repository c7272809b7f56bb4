/**
 * The records the store hands to persistence, one per acknowledged change. Each is self-contained
 * (a mapping record holds the whole mapping), so replaying them in order rebuilds the store.
 */
import type { AliasSpec } from './index-data.ts';
import type { RootMapping } from './mapping.ts';
import type { ComponentTemplate, IndexTemplate } from './templates.ts';

export interface IndexMeta {
  name: string;
  uuid: string;
  created: number;
  settings: Record<string, string>;
  mapping: RootMapping;
  aliases: Record<string, AliasSpec>;
  primaryTerm: number;
  nextSeqNo: number;
}

export type JournalRecord =
  | { t: 'index_created'; meta: IndexMeta }
  | { t: 'index_deleted'; index: string }
  | { t: 'mapping'; index: string; mapping: RootMapping }
  | { t: 'settings'; index: string; settings: Record<string, string> }
  | { t: 'aliases'; index: string; aliases: Record<string, AliasSpec> }
  | { t: 'doc'; index: string; id: string; source: Record<string, unknown>; seqNo: number; primaryTerm: number; version: number }
  | { t: 'doc_deleted'; index: string; id: string; seqNo: number }
  | { t: 'index_template'; name: string; template: IndexTemplate | null }
  | { t: 'component_template'; name: string; template: ComponentTemplate | null }
  | { t: 'script'; id: string; script: { lang: string; source: unknown } | null };

/** Where the store sends its changes; `sync` makes everything appended so far durable. */
export interface Journal {
  append(record: JournalRecord): void;
  sync(): void;
}
