import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { type ChartSpec, renderChart } from '@video-r1/cli-kit';

/**
 * One PNG per chart, rasterised from the same SVG the HTML report inlines, by resvg (an exact SVG
 * renderer shipped as a prebuilt npm binary): no browser needed, identical on every machine.
 */
export function writeChartPngs(charts: ChartSpec[], dir: string, scale = 2): string[] {
  mkdirSync(dir, { recursive: true });
  return charts.map((chart) => {
    const svg = renderChart(chart);
    const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
      .render()
      .asPng();
    const file = path.join(dir, `${chart.id}.png`);
    writeFileSync(file, png);
    writeFileSync(path.join(dir, `${chart.id}.svg`), svg);
    return file;
  });
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** `CHROME_PATH`, else the usual Debian/Ubuntu locations; null when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env['CHROME_PATH'] ? [env['CHROME_PATH']] : CHROMIUM_CANDIDATES;
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

/**
 * Renders the report page in headless Chromium and saves a screenshot: proof that the page renders,
 * and a picture of it for places that cannot show HTML.
 */
export function screenshotPage(chromium: string, htmlFile: string, pngFile: string, size = { width: 1280, height: 2600 }, timeoutMs = 60_000): Promise<void> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--window-size=${size.width},${size.height}`,
    `--screenshot=${pngFile}`,
    pathToFileURL(htmlFile).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(chromium, args, { timeout: timeoutMs }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`headless ${chromium} could not render ${htmlFile}: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}
