/** kafkajs's internal cluster class, which its own types do not describe: only its prototype is used. */
declare module 'kafkajs/src/cluster/index.js' {
  const Cluster: { prototype: unknown };
  export default Cluster;
}
