/** Where tests and bench find the shared Kafka and Consul (compose/infra.sh, its ports overridable as there). */
export const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);
export const CONSUL_HTTP_PORT = Number(process.env.CONSUL_HTTP_PORT ?? 8500);
export const KAFKA = `127.0.0.1:${KAFKA_PORT}`;
export const CONSUL = `127.0.0.1:${CONSUL_HTTP_PORT}`;
export const CONSUL_DNS_PORT = Number(process.env.CONSUL_DNS_PORT ?? 8600);
