// AlertingEvaluator: an Evaluator that decorates another (EngineEvaluator) and records every match of the
// answered events in the alert pipeline, writing the alert id it opened or joined into Match.alert_id. Every
// transport that evaluates through the Evaluator interface (Evaluate, StreamEvaluate, HTTP ingest) feeds alerts.
#ifndef DETECT_SERVER_ALERTS_ALERTING_EVALUATOR_H_
#define DETECT_SERVER_ALERTS_ALERTING_EVALUATOR_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "alert/alert.h"
#include "server/alerts/alert_pipeline.h"
#include "server/evaluator.h"
#include "server/rule_store.h"

namespace detect::server {

// Thread-safe. `inner`, `rules` and `pipeline` are not owned and must outlive it.
class AlertingEvaluator final : public Evaluator {
 public:
  AlertingEvaluator(Evaluator* inner, RuleStore* rules, AlertPipeline* pipeline,
                    std::function<absl::Time()> now = absl::Now);

  void Evaluate(const RequestView& request, v1::EvaluateResponse* response) override;
  void ListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response) override {
    inner_->ListRules(request, response);
  }
  absl::Status GetRule(const v1::GetRuleRequest& request, v1::GetRuleResponse* response) override {
    return inner_->GetRule(request, response);
  }
  absl::Status DescribeRule(const v1::DescribeRuleRequest& request, v1::DescribeRuleResponse* response) override {
    return inner_->DescribeRule(request, response);
  }

 private:
  // Metadata of every rule of the serving set, rebuilt when the set changes.
  struct MetaCache {
    std::shared_ptr<const RuleSet> rules;
    std::vector<std::shared_ptr<const alert::RuleMeta>> by_index;
    absl::flat_hash_map<std::string, size_t> index_of;  // Rule id -> index (RuleSet::FindRule is a scan).
  };
  std::shared_ptr<const MetaCache> Metas() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Time EventTime(const EventView& event, absl::Time fallback);

  Evaluator* const inner_;
  RuleStore* const rules_;
  AlertPipeline* const pipeline_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  std::shared_ptr<const MetaCache> metas_ ABSL_GUARDED_BY(mu_);
};

// The alert fields of one rule, from its loaded metadata.
std::shared_ptr<const alert::RuleMeta> RuleMetaOf(const RuleInfo& rule);

}  // namespace detect::server

#endif  // DETECT_SERVER_ALERTS_ALERTING_EVALUATOR_H_
