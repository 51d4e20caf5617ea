// AlertToProto: an alert record as the detect.v1.Alert message WatchAlerts sends (the fields of the alert JSON,
// docs/alerts.md, with the same names).
#ifndef DETECT_SERVER_ALERTS_ALERT_PROTO_H_
#define DETECT_SERVER_ALERTS_ALERT_PROTO_H_

#include "alert/alert.h"
#include "detect/v1/detect.pb.h"

namespace detect::server {

// Pure. alert_context / summary_attributes that are not JSON objects are left unset.
void AlertToProto(const alert::AlertRecord& alert, v1::Alert* out);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERT_PROTO_H_
