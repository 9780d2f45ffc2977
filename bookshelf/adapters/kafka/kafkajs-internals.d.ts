/** kafkajs's internal classes, which its own types do not describe: only their prototypes are used. */
declare module 'kafkajs/src/cluster/index.js' {
  const Cluster: { prototype: unknown };
  export default Cluster;
}

declare module 'kafkajs/src/network/requestQueue/index.js' {
  const RequestQueue: { prototype: unknown };
  export default RequestQueue;
}
