import type { Report } from './report.js';
export async function renderHtml(r: Report): Promise<string> {
  return `<!doctype html><title>clickforge report</title>${r.tool.version}`;
}
