// A name in a table cell: long names (64 characters without a space are allowed) would widen the
// column until the row's actions leave the screen, so the cell shows what fits and the rest on hover.
export function Truncated({ text, className = "max-w-[14rem]" }: { text: string; className?: string }) {
  return (
    <span className={`block truncate ${className}`} title={text}>
      {text}
    </span>
  );
}
