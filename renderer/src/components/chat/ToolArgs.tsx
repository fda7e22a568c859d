/** A tool call's arguments as name / value rows (values are shown as text, never interpreted). */
export function ToolArgs({ entries }: { entries: ReadonlyArray<readonly [string, string]> }) {
  if (entries.length === 0) return null;
  return (
    <dl className="tool-args">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>
            <pre>{value}</pre>
          </dd>
        </div>
      ))}
    </dl>
  );
}
