// Saves an export (text, or base64 for the PNG) as a file download in the page.
const TYPES: Record<string, string> = { csv: 'text/csv;charset=utf-8', svg: 'image/svg+xml', png: 'image/png', json: 'application/json' };

export function saveExport(file: { filename: string; content: string; encoding: 'utf8' | 'base64' }): void {
  const ext = file.filename.split('.').pop() ?? '';
  const body = file.encoding === 'base64' ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : file.content;
  const url = URL.createObjectURL(new Blob([body], { type: TYPES[ext] ?? 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
