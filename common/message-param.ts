/** A value a server-made message is filled with: names and numbers, never sentences in one language. */
export type MessageParam = string | number;
