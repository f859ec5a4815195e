// Lesson Markdown → safe HTML: marked for the Markdown, highlight.js for code blocks, and DOMPurify
// over the result, so a lesson file (possibly written by anyone) can never run script in the app.
import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import javascript from 'highlight.js/lib/languages/javascript';
import bash from 'highlight.js/lib/languages/bash';
import json from 'highlight.js/lib/languages/json';
import yaml from 'highlight.js/lib/languages/yaml';
import plaintext from 'highlight.js/lib/languages/plaintext';

// Only the languages lessons use, to keep the renderer bundle small.
for (const [name, lang] of Object.entries({ python, typescript, javascript, bash, json, yaml, plaintext })) hljs.registerLanguage(name, lang);
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['ts'], { languageName: 'typescript' });
hljs.registerAliases(['js'], { languageName: 'javascript' });
hljs.registerAliases(['sh', 'shell'], { languageName: 'bash' });
hljs.registerAliases(['text', 'txt'], { languageName: 'plaintext' });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  renderer: {
    code({ text, lang }) {
      const name = (lang ?? '').trim().split(/\s+/)[0].toLowerCase();
      const known = name !== '' && hljs.getLanguage(name);
      const body = known ? hljs.highlight(text, { language: name, ignoreIllegals: true }).value : escapeHtml(text);
      const label = known ? hljs.getLanguage(name)!.name ?? name : '';
      return `<pre${label ? ` data-lang="${escapeHtml(label)}"` : ''}><code class="hljs${known ? ` language-${name}` : ''}">${body}</code></pre>\n`;
    },
  },
});

export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, ADD_ATTR: ['data-lang'] });
}
