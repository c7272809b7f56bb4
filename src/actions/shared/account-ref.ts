/**
 * An action's `account`: an account id, or `<type>:<id>` for an account of another type the action's
 * type can send with (an e-mail action with an `ses` account). Ids are `[A-Za-z0-9_-]{1,128}`, never a
 * name JavaScript gives meaning on objects; which types an action may name is the type registry's
 * call (`TypeRegistry.accountRef`).
 */
export const ACCOUNT_REF_PATTERN = /^(?:[a-z][a-z0-9_.-]{0,63}:)?(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9_-]{1,128}$/;
