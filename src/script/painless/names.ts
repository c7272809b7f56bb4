/** The names the subset knows: declarable types, static classes, and keywords it refuses. */

/** Primitive types: casts to these are numeric conversions. */
export const PRIMITIVE_TYPES = new Set(['int', 'long', 'double', 'float', 'short', 'byte', 'boolean']);

/** Every type name a declaration, cast or `instanceof` may use. */
export const TYPE_NAMES = new Set([
  ...PRIMITIVE_TYPES, 'def', 'Object', 'String', 'Number', 'Integer', 'Long', 'Double', 'Float', 'Short', 'Byte', 'Boolean',
  'List', 'ArrayList', 'LinkedList', 'Map', 'HashMap', 'LinkedHashMap', 'Set', 'HashSet', 'LinkedHashSet', 'Collection', 'Iterable', 'Map.Entry', 'ZonedDateTime', 'Instant', 'Optional', 'CharSequence',
]);

/** Classes whose constructors `new` may call; all build plain containers. */
export const CONSTRUCTIBLE = new Set([
  'ArrayList', 'LinkedList', 'HashMap', 'LinkedHashMap', 'HashSet', 'LinkedHashSet',
]);

/** Keywords of Java/Painless that the subset rejects at load, with the construct name reported. */
export const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  class: 'class declaration', interface: 'interface declaration', enum: 'enum declaration',
  try: 'try/catch', catch: 'try/catch', finally: 'try/catch', throw: 'throw', throws: 'throws',
  switch: 'switch', case: 'switch', import: 'import', package: 'package', synchronized: 'synchronized',
  this: 'this', super: 'super', static: 'static', assert: 'assert', goto: 'goto', char: 'char type',
  var: 'var declaration', final: 'final',
};

export const RESERVED = new Set(['if', 'else', 'while', 'do', 'for', 'in', 'break', 'continue', 'return', 'new',
  'true', 'false', 'null', 'instanceof', ...Object.keys(UNSUPPORTED_KEYWORDS)]);
