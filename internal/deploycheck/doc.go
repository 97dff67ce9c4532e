// Package deploycheck holds the deployment policy of the M2M ILP Connector
// and the tests that hold the deployment files to it:
//
//   - docker-compose-production.yml (and the other compose files), loaded
//     with the Compose Specification loader (compose-go): every service has
//     CPU and memory limits and reservations, a healthcheck that runs a real
//     probe, a restart policy, depends_on with condition: service_healthy
//     where the dependency has a healthcheck; in production also
//     NODE_ENV=production, a mandatory KMS KEY_BACKEND, the Grafana admin
//     password and the Alertmanager receiver secrets as file-based Docker
//     secrets ([CheckCompose]);
//   - monitoring/alertmanager/alertmanager.yml, loaded with Alertmanager's own
//     config package (v0.25, the oldest Alertmanager the stack runs on):
//     severity routing, receivers reading their secrets from files,
//     inhibition rules ([RouteFor], [Inhibits]);
//   - monitoring/prometheus: the alert rule conventions, the promtool unit
//     tests, and the Prometheus configuration's Alertmanager and scrape
//     targets. Prometheus's own config package is not used (it pulls in
//     every service-discovery SDK); promtool checks the syntax instead;
//   - scripts/production-preflight.sh, run for real against temporary env
//     files and secret directories.
//
// Tests that need promtool, amtool or alertmanager (Debian: apt-get install
// prometheus prometheus-alertmanager) skip when the tool is missing, unless
// DEPLOYCHECK_REQUIRE_TOOLS=1, which turns a missing tool into a failure.
package deploycheck
