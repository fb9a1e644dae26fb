/**
 * Third-party files the web pages load, served at these paths from the installed packages (never
 * copied into web/): the local gateway serves them, and the site deployment uploads the same files.
 */
export const VENDOR_ASSETS: Record<string, string> = {
  // uPlot: a small (50 KB), dependency-free time-series chart, for the 30-day vacancies chart.
  '/vendor/uplot.js': 'node_modules/uplot/dist/uPlot.iife.min.js',
  '/vendor/uplot.css': 'node_modules/uplot/dist/uPlot.min.css',
  // qrcode-generator: the QR code of an authenticator app's set-up key, drawn in the browser (the key is never sent to the API).
  '/vendor/qrcode.js': 'node_modules/qrcode-generator/dist/qrcode.js',
};
