declare module "parse-prometheus-text-format" {
  /** Parses Prometheus text exposition format into metric families (the package ships no types). */
  function parsePrometheusTextFormat(text: string): unknown[];
  // eslint-disable-next-line no-restricted-syntax -- describes the package's CommonJS export, not our code
  export default parsePrometheusTextFormat;
}
