/**
 * Whether a value's JSON text would be longer than `limit` characters, found by a walk that stops as
 * soon as it knows: cheaper than serialising, and bounded by the limit rather than by the value.
 * The count is a lower bound of JSON.stringify's length (escapes can only add to it), so "not over"
 * still needs the caller to count the real text afterwards.
 */
export function jsonLengthOver(value: unknown, limit: number): boolean {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        total += v.length + 2;
        break;
      case 'number':
      case 'bigint':
      case 'boolean':
        total += 4;
        break;
      case 'object':
        if (v === null) total += 4;
        else if (Array.isArray(v)) {
          if ((total += 1 + v.length) > limit) return true;
          for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
        } else {
          total += 1;
          for (const k in v) {
            if (!Object.hasOwn(v, k)) continue;
            if ((total += k.length + 4) > limit) return true;
            stack.push((v as Record<string, unknown>)[k]);
          }
        }
        break;
      default:
        break;
    }
    if (total > limit) return true;
  }
  return false;
}
