// The MITRE ATT&CK name tables (ATT&CK Enterprise v15 names).
#include "engine/analysis/mitre_attack.h"

#include <utility>

namespace detect {
namespace {

using Entry = std::pair<const char*, const char*>;

constexpr Entry kTactics[] = {
    {"TA0043", "Reconnaissance"},     {"TA0042", "Resource Development"}, {"TA0001", "Initial Access"},
    {"TA0002", "Execution"},          {"TA0003", "Persistence"},          {"TA0004", "Privilege Escalation"},
    {"TA0005", "Defense Evasion"},    {"TA0006", "Credential Access"},    {"TA0007", "Discovery"},
    {"TA0008", "Lateral Movement"},   {"TA0009", "Collection"},           {"TA0011", "Command and Control"},
    {"TA0010", "Exfiltration"},       {"TA0040", "Impact"},
};

constexpr Entry kTechniques[] = {
    {"T1021", "Remote Services"},
    {"T1021.007", "Cloud Services"},
    {"T1040", "Network Sniffing"},
    {"T1068", "Exploitation for Privilege Escalation"},
    {"T1546", "Event Triggered Execution"},
    {"T1548.003", "Sudo and Sudo Caching"},
    {"T1552.004", "Private Keys"},
    {"T1578.002", "Create Cloud Instance"},
    {"T1020", "Automated Exfiltration"},
    {"T1041", "Exfiltration Over C2 Channel"},
    {"T1046", "Network Service Discovery"},
    {"T1048", "Exfiltration Over Alternative Protocol"},
    {"T1053", "Scheduled Task/Job"},
    {"T1053.003", "Cron"},
    {"T1053.007", "Container Orchestration Job"},
    {"T1059", "Command and Scripting Interpreter"},
    {"T1069", "Permission Groups Discovery"},
    {"T1070", "Indicator Removal"},
    {"T1078", "Valid Accounts"},
    {"T1078.001", "Default Accounts"},
    {"T1078.003", "Local Accounts"},
    {"T1078.004", "Cloud Accounts"},
    {"T1087", "Account Discovery"},
    {"T1090", "Proxy"},
    {"T1090.003", "Multi-hop Proxy"},
    {"T1098", "Account Manipulation"},
    {"T1098.001", "Additional Cloud Credentials"},
    {"T1098.003", "Additional Cloud Roles"},
    {"T1098.006", "Additional Container Cluster Roles"},
    {"T1105", "Ingress Tool Transfer"},
    {"T1110", "Brute Force"},
    {"T1111", "Multi-Factor Authentication Interception"},
    {"T1114", "Email Collection"},
    {"T1133", "External Remote Services"},
    {"T1136", "Create Account"},
    {"T1136.003", "Cloud Account"},
    {"T1190", "Exploit Public-Facing Application"},
    {"T1199", "Trusted Relationship"},
    {"T1201", "Password Policy Discovery"},
    {"T1204", "User Execution"},
    {"T1213", "Data from Information Repositories"},
    {"T1222", "File and Directory Permissions Modification"},
    {"T1484", "Domain or Tenant Policy Modification"},
    {"T1485", "Data Destruction"},
    {"T1496", "Resource Hijacking"},
    {"T1499", "Endpoint Denial of Service"},
    {"T1525", "Implant Internal Image"},
    {"T1526", "Cloud Service Discovery"},
    {"T1528", "Steal Application Access Token"},
    {"T1530", "Data from Cloud Storage"},
    {"T1531", "Account Access Removal"},
    {"T1535", "Unused/Unsupported Cloud Regions"},
    {"T1537", "Transfer Data to Cloud Account"},
    {"T1538", "Cloud Service Dashboard"},
    {"T1543", "Create or Modify System Process"},
    {"T1548", "Abuse Elevation Control Mechanism"},
    {"T1550", "Use Alternate Authentication Material"},
    {"T1550.001", "Application Access Token"},
    {"T1552", "Unsecured Credentials"},
    {"T1552.001", "Credentials In Files"},
    {"T1552.005", "Cloud Instance Metadata API"},
    {"T1552.007", "Container API"},
    {"T1556", "Modify Authentication Process"},
    {"T1562", "Impair Defenses"},
    {"T1562.001", "Disable or Modify Tools"},
    {"T1562.008", "Disable or Modify Cloud Logs"},
    {"T1566", "Phishing"},
    {"T1567", "Exfiltration Over Web Service"},
    {"T1573", "Encrypted Channel"},
    {"T1573.002", "Asymmetric Cryptography"},
    {"T1578", "Modify Cloud Compute Infrastructure"},
    {"T1580", "Cloud Infrastructure Discovery"},
    {"T1595", "Active Scanning"},
    {"T1595.002", "Vulnerability Scanning"},
    {"T1609", "Container Administration Command"},
    {"T1610", "Deploy Container"},
    {"T1611", "Escape to Host"},
    {"T1612", "Build Image on Host"},
    {"T1613", "Container and Resource Discovery"},
    {"T1619", "Cloud Storage Object Discovery"},
    {"T1621", "Multi-Factor Authentication Request Generation"},
};

template <size_t N>
absl::string_view Find(const Entry (&table)[N], absl::string_view id) {
  for (const Entry& e : table) {
    if (id == e.first) return e.second;
  }
  return "";
}

}  // namespace

absl::string_view MitreTacticName(absl::string_view tactic_id) { return Find(kTactics, tactic_id); }
absl::string_view MitreTechniqueName(absl::string_view technique_id) { return Find(kTechniques, technique_id); }

}  // namespace detect
