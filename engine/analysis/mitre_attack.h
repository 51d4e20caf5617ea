// Names of MITRE ATT&CK (Enterprise) tactics and techniques, for rule analysis: `TA0001:T1190` becomes
// "Initial Access" / "Exploit Public-Facing Application". Covers every tactic and the techniques cloud and
// Kubernetes detections use; unknown ids yield an empty name.
#ifndef DETECT_ENGINE_ANALYSIS_MITRE_ATTACK_H_
#define DETECT_ENGINE_ANALYSIS_MITRE_ATTACK_H_

#include "absl/strings/string_view.h"

namespace detect {

// "" when the id is not in the table.
absl::string_view MitreTacticName(absl::string_view tactic_id);
absl::string_view MitreTechniqueName(absl::string_view technique_id);

}  // namespace detect

#endif  // DETECT_ENGINE_ANALYSIS_MITRE_ATTACK_H_
