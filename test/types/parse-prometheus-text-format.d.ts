declare module "parse-prometheus-text-format" {
  /** Parses Prometheus text exposition format into metric families (the package ships no types). */
  function parsePrometheusTextFormat(text: string): unknown[];
  export default parsePrometheusTextFormat;
}
