// Writes a few lines through threadlineFormat, as a service would: the test of docs/other-languages.md runs this
// and checks every line against the JSON Schema.
'use strict';

const winston = require('winston');
const { correlation, threadlineFormat } = require('./threadline-winston');

const log = winston.createLogger({
  level: 'silly',
  format: threadlineFormat({ service: 'checkout-node', env: 'demo', version: '1.4.2' }),
  transports: [new winston.transports.Console()],
});

log.info('service started');
correlation.run({ requestId: 'req-node-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
  () => {
    log.child({ logger: 'checkout.http' }).info('charging card', { orderId: 42, amount: 12.5, message_id: 'm-1' });
    log.warn('slow downstream', { duration_ms: 812.5, timestamp: 'user value' });
    log.error('payment failed', { error: new TypeError('card is undefined') });
  });
log.debug('shutting down');
