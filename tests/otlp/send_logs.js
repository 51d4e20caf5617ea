#!/usr/bin/env node
// Sends the audit events of an NDJSON file to detectd as OpenTelemetry log records, through the real
// OpenTelemetry JavaScript SDK (LoggerProvider + BatchLogRecordProcessor) and one of its OTLP log exporters:
//
//   node send_logs.js --protocol grpc|http/json|http/protobuf --endpoint URL --events FILE
//                     [--body string|kvlist] [--cluster NAME] [--gzip] [--batch N] [--repeat N] [--quiet]
//
// Record i (0-based, across repeats) carries timestamp 1700000000 + i seconds, so detectd's per-match debug
// log (time_unix_nano) names the event it came from. The body is the event's JSON text (string, as a
// collector's filelog receiver sends it) or the event as a map (kvlist). Prints one JSON line:
// {"protocol", "records", "exports", "failed_exports", "seconds", "errors": [...]}; exits 1 if any export failed.
'use strict';

const fs = require('fs');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const BASE_SECONDS = 1700000000;

function parseArgs(argv) {
  const a = { body: 'string', cluster: '', gzip: false, batch: 512, repeat: 1, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--gzip') a.gzip = true;
    else if (k === '--quiet') a.quiet = true;
    else if (k.startsWith('--')) a[k.slice(2)] = argv[++i];
    else throw new Error('unexpected argument ' + k);
  }
  for (const k of ['protocol', 'endpoint', 'events']) if (!a[k]) throw new Error('--' + k + ' is required');
  a.batch = Number(a.batch);
  a.repeat = Number(a.repeat);
  return a;
}

function makeExporter(a) {
  const compression = a.gzip ? 'gzip' : 'none';
  if (a.protocol === 'grpc') {
    const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-grpc');
    return new OTLPLogExporter({ url: a.endpoint, compression });  // http:// URL: plaintext.
  }
  const url = a.endpoint.replace(/\/$/, '') + '/v1/logs';
  if (a.protocol === 'http/json') {
    const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
    return new OTLPLogExporter({ url, compression });
  }
  if (a.protocol === 'http/protobuf') {
    const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
    return new OTLPLogExporter({ url, compression });
  }
  throw new Error('unknown --protocol ' + a.protocol);
}

// Counts what the exporter reports for each batch (the SDK only logs failures).
function counting(exporter, stats) {
  const exportBatch = exporter.export.bind(exporter);
  exporter.export = (records, done) => {
    stats.exports++;
    exportBatch(records, (result) => {
      if (result.code !== 0) {
        stats.failed_exports++;
        stats.errors.push(String(result.error && result.error.message));
      }
      done(result);
    });
  };
  return exporter;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const lines = fs.readFileSync(a.events, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const stats = { protocol: a.protocol, records: 0, exports: 0, failed_exports: 0, seconds: 0, errors: [] };
  const exporter = counting(makeExporter(a), stats);
  const attributes = a.cluster ? { 'k8s.cluster.name': a.cluster } : {};
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(attributes),
    processors: [new BatchLogRecordProcessor({
      exporter, maxExportBatchSize: a.batch, maxQueueSize: Math.max(2048, a.batch * 4), scheduledDelayMillis: 50,
      exportTimeoutMillis: 30000 })],
  });
  const logger = provider.getLogger('detectd-otlp-test');
  const started = process.hrtime.bigint();
  let i = 0;
  for (let r = 0; r < a.repeat; r++) {
    for (const line of lines) {
      const body = a.body === 'kvlist' ? JSON.parse(line) : line;
      logger.emit({ body, timestamp: [BASE_SECONDS + i, 0] });
      i++;
      // Keep the processor's queue from overflowing (it drops records when full): flush every few batches.
      if (i % (a.batch * 2) === 0) await provider.forceFlush();
    }
  }
  await provider.forceFlush();
  await provider.shutdown();
  stats.records = i;
  stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify(stats));
  process.exit(stats.failed_exports === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(2);
});
