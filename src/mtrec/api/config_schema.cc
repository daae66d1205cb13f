// The configuration schema (mtrec/config_schema.h): the one table of fields.
#include "mtrec/config_schema.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>

#include "mtrec/config_names.h"
#include "mtrec/core/config_names.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/core/number_text.h"
#include "mtrec/train/experiment_data.h"  // kValidationSplitSeed

namespace mtrec {

namespace {

// The member at `path` of an ExperimentConfig `c`, as a FieldRef of its type.
#define MTREC_AT(path)                                                              \
  FieldRef<std::remove_cvref_t<decltype(std::declval<ExperimentConfig&>().path)>> { \
    [](ExperimentConfig & c) -> auto& { return c.path; }                            \
  }

// An enum member named through a core/config_names.h table.
#define MTREC_NAMED(path, table, field)                                                      \
  ChoiceRef {                                                                                \
    [](const ExperimentConfig& c) { return NameOf(table, c.path); },                         \
        [](ExperimentConfig& c, std::string_view v) {                                        \
          Result<std::remove_cvref_t<decltype(c.path)>> value = ParseNamed(table, v, field); \
          if (value.ok()) c.path = *value;                                                   \
          return value.status();                                                             \
        },                                                                                   \
        nullptr                                                                              \
  }

ChoiceRef WithChoices(ChoiceRef ref, const char* choices) {
  ref.choices = choices;
  return ref;
}

using enum ConfigPart;
using enum FlagForm;
using enum JsonForm;

constexpr ValueRange kAny{};
constexpr double kMaxWidth = 1 << 16;

// In --help order, which is also config.json's key order within each object.
const ConfigField kFields[] = {
    // a predefined split (dataset.h: LoadSplitDataset)
    {.name = "train_path",
     .access = MTREC_AT(data.train_path),
     .part = kExperiment,
     .doc = "a predefined split's training rows (instead of --dataset; needs --test): all its "
            "files are read with --format/--columns/--remap_ids/--duplicates and share one id "
            "space",
     .json_form = kAdded,
     .json = "data.train_path",
     .flag_form = kValue,
     .flag = "train",
     .metavar = "FILE",
     .in_sweep = true},
    {.name = "test_path",
     .access = MTREC_AT(data.test_path),
     .part = kExperiment,
     .doc = "the predefined split's test rows (with --train; instead of --test_fraction)",
     .json_form = kAdded,
     .json = "data.test_path",
     .flag_form = kValue,
     .flag = "test",
     .metavar = "FILE",
     .in_sweep = true},
    {.name = "validation_path",
     .access = MTREC_AT(data.validation_path),
     .part = kExperiment,
     .doc = "the predefined split's validation rows (with --train; instead of "
            "--validation_fraction): early stopping and --recipe mtrec select on them",
     .json_form = kAdded,
     .json = "data.validation_path",
     .flag_form = kValue,
     .flag = "validation",
     .metavar = "FILE",
     .in_sweep = true},
    // data split
    {.name = "test_fraction",
     .access = MTREC_AT(test_fraction),
     .part = kExperiment,
     .doc = "fraction of the data held out for testing",
     .range = Open(0, 1),
     .json_form = kAlways,
     .json = "data.test_fraction",
     .flag_form = kValue,
     .flag = "test_fraction",
     .in_sweep = true},
    {.name = "split_seed",
     .access = FixedValue{kOriginalSplitSeed},
     .part = kExperiment,
     .doc = "the test split's fixed seed (the original's)",
     .json_form = kAlways,
     .json = "data.split_seed"},
    {.name = "validation_fraction",
     .access = MTREC_AT(validation_fraction),
     .part = kExperiment,
     .doc = "fraction of the training rows held out for validation (early stopping, "
            "--save_best); 0.05 when --early_stopping is given without it",
     .range = HalfOpen(0, 1),
     .json_form = kAlways,
     .json = "data.validation_fraction",
     .flag_form = kValue,
     .flag = "validation_fraction",
     .in_sweep = true},
    {.name = "validation_seed",
     .access = FixedValue{kValidationSplitSeed},
     .part = kExperiment,
     .doc = "the validation split's fixed seed",
     .json_form = kAlways,
     .json = "data.validation_seed"},
    // model shape
    {.name = "num_users",
     .access = MTREC_AT(model.num_users),
     .part = kModel,
     .doc = "user table rows (from the data; ids are below it)",
     .json_form = kAlways,
     .json = "model.num_users"},
    {.name = "num_items",
     .access = MTREC_AT(model.num_items),
     .part = kModel,
     .doc = "item table rows (from the data)",
     .json_form = kAlways,
     .json = "model.num_items"},
    {.name = "embedding_dim",
     .access = MTREC_AT(model.embedding_dim),
     .part = kModel,
     .doc = "embedding size",
     .range = Closed(1, kMaxWidth),
     .json_form = kAlways,
     .json = "model.embedding_dim",
     .flag_form = kValue,
     .flag = "embedding_dim",
     .in_sweep = true,
     .python = "embedding_dim"},
    {.name = "ranking_dim",
     .access = MTREC_AT(model.ranking_dim),
     .part = kModel,
     .doc = "width of the ranking head's tables (U_fact, Q_fact) with separate embeddings; 0: "
            "embedding_dim (the rating head's tables and the MLP keep embedding_dim)",
     .range = Closed(0, kMaxWidth),
     .json_form = kAdded,
     .json = "model.ranking_dim",
     .flag_form = kValue,
     .flag = "ranking_dim",
     .in_sweep = true,
     .python = "ranking_dim"},
    {.name = "hidden_layers",
     .access = MTREC_AT(model.hidden_layers),
     .part = kModel,
     .doc = "hidden widths of the regression MLP; its input is 3 x embedding_dim and its output 1",
     .range = Closed(1, kMaxWidth),
     .json_form = kAlways,
     .json = "model.hidden_layers",
     .flag_form = kValue,
     .flag = "layers",
     .metavar = "W[,W...]",
     .in_sweep = true,
     .python = "layers"},
    {.name = "shared_embeddings",
     .access = MTREC_AT(model.shared_embeddings),
     .part = kModel,
     .doc = "share U and Q between both heads (the default)",
     .json_form = kAlways,
     .json = "model.shared_embeddings",
     .flag_form = kSwitchPair,
     .flag = "shared_embeddings",
     .off_doc = "separate embeddings for the factorisation and regression heads",
     .python = "shared_embeddings"},
    {.name = "user_bias",
     .access = MTREC_AT(model.user_bias),
     .part = kModel,
     .doc = "add the 2022 variant's user bias (inert under BPR: stays 0)",
     .json_form = kAlways,
     .json = "model.user_bias",
     .flag_form = kSwitch,
     .flag = "user_bias",
     .in_sweep = true,
     .python = "user_bias"},
    {.name = "rating_biases",
     .access = MTREC_AT(model.rating_biases),
     .part = kModel,
     .doc = "mtrec's rating head: add a user and an item rating bias to the MLP's output, which "
            "starts at the training ratings' mean",
     .json_form = kAdded,
     .json = "model.rating_biases",
     .flag_form = kOptionalBool,
     .flag = "rating_biases",
     .in_sweep = true,
     .python = "rating_biases"},
    {.name = "rating_dot",
     .access = MTREC_AT(model.rating_dot),
     .part = kModel,
     .doc = "mtrec's rating head: add the dot product of the rating head's user and item "
            "embeddings to the MLP's output (NeuMF-style fusion of a biased MF and the MLP)",
     .json_form = kAdded,
     .json = "model.rating_dot",
     .flag_form = kOptionalBool,
     .flag = "rating_dot",
     .in_sweep = true,
     .python = "rating_dot"},
    {.name = "rating_implicit",
     .access = MTREC_AT(model.rating_implicit),
     .part = kModel,
     .doc = "mtrec's rating head: add SVD++'s implicit term (a new item table's rows summed "
            "over the user's training items, divided by the square root of their number) to the "
            "user's rating embedding (needs separate embeddings and the adam optimizer)",
     .json_form = kAdded,
     .json = "model.rating_implicit",
     .flag_form = kOptionalBool,
     .flag = "rating_implicit",
     .in_sweep = true,
     .python = "rating_implicit"},
    // training
    {.name = "epochs",
     .access = MTREC_AT(epochs),
     .part = kExperiment,
     .doc = "number of training epochs",
     .range = AtLeast(1),
     .json_form = kAlways,
     .json = "train.epochs",
     .flag_form = kValue,
     .flag = "epochs",
     .in_sweep = true},
    {.name = "factorization_weight",
     .access = MTREC_AT(train.factorization_weight),
     .part = kTrain,
     .doc = "weight of the factorisation (BPR) loss in the joint loss (0: that head is not "
            "computed)",
     .range = AtLeast(0),
     .json_form = kAlways,
     .json = "train.factorization_weight",
     .flag_form = kValue,
     .flag = "factorization_weight",
     .python = "factorization_weight"},
    {.name = "regression_weight",
     .access = MTREC_AT(train.regression_weight),
     .part = kTrain,
     .doc = "weight of the regression (MSE) loss in the joint loss (0: the MLP is not computed: "
            "plain BPR-MF)",
     .range = AtLeast(0),
     .json_form = kAlways,
     .json = "train.regression_weight",
     .flag_form = kValue,
     .flag = "regression_weight",
     .python = "regression_weight"},
    {.name = "bpr_loss",
     .access = WithChoices(MTREC_NAMED(train.bpr_loss, kBprLossNames, "bpr_loss"), "sigmoid|log"),
     .part = kTrain,
     .doc = "factorisation loss: the original's 1 - sigmoid(pos - neg), or -log sigmoid",
     .json_form = kAlways,
     .json = "train.bpr_loss",
     .flag_form = kValue,
     .flag = "bpr_loss",
     .in_sweep = true,
     .python = "bpr_loss"},
    {.name = "negatives",
     .access = MTREC_AT(train.negatives),
     .part = kTrain,
     .doc = "negative candidates drawn per positive; the BPR term uses the one the model scores "
            "highest (1: the original's single uniform draw)",
     .range = Closed(1, TrainConfig::kMaxNegatives),
     .json_form = kAdded,
     .json = "train.negatives",
     .flag_form = kValue,
     .flag = "negatives",
     .in_sweep = true,
     .python = "negatives"},
    {.name = "unseen_negatives",
     .access = MTREC_AT(train.unseen_negatives),
     .part = kTrain,
     .doc = "draw a negative candidate again while it is one of its user's training items "
            "(the original keeps it)",
     .json_form = kAdded,
     .json = "train.unseen_negatives",
     .flag_form = kOptionalBool,
     .flag = "unseen_negatives",
     .in_sweep = true,
     .python = "unseen_negatives"},
    {.name = "rating_l2",
     .access = MTREC_AT(train.rating_l2),
     .part = kTrain,
     .doc = "L2 penalty on the rating head's embedding rows, per rating sample (0: none, the "
            "original's)",
     .range = AtLeast(0),
     .json_form = kAdded,
     .json = "train.rating_l2",
     .flag_form = kValue,
     .flag = "rating_l2",
     .in_sweep = true,
     .python = "rating_l2"},
    {.name = "batch_size",
     .access = MTREC_AT(train.batch_size),
     .part = kTrain,
     .doc = "minibatch size (the last batch may be partial)",
     .range = AtLeast(1),
     .json_form = kAlways,
     .json = "train.batch_size",
     .flag_form = kValue,
     .flag = "batch_size",
     .in_sweep = true,
     .python = "batch_size"},
    {.name = "optimizer",
     .access = WithChoices(MTREC_NAMED(train.optimizer.kind, kOptimizerNames, "optimizer"), "NAME"),
     .part = kTrain,
     .doc = "adam (dense, the original's), lazy_adam (touched rows only, for large data sets), "
            "adagrad, sgd or rowwise_adagrad (one accumulator per embedding row; the MLP keeps "
            "Adam at 0.001)",
     .json_form = kAlways,
     .json = "train.optimizer",
     .flag_form = kValue,
     .flag = "optimizer",
     .in_sweep = true,
     .python = "optimizer"},
    {.name = "learning_rate",
     .access = MTREC_AT(train.optimizer.learning_rate),
     .part = kTrain,
     .doc = "learning rate; when not given: 0.001 for adam and lazy_adam, 0.1 for adagrad and "
            "rowwise_adagrad (its embedding rows), 20 for sgd",
     .range = Above(0),
     .json_form = kAlways,
     .json = "train.learning_rate",
     .flag_form = kValue,
     .flag = "learning_rate",
     .in_sweep = true,
     .python = "learning_rate",
     .python_derived = true},
    {.name = "beta1",
     .access = MTREC_AT(train.optimizer.beta1),
     .part = kTrain,
     .doc = "Adam's first-moment decay",
     .range = HalfOpen(0, 1),
     .json_form = kAlways,
     .json = "train.beta1"},
    {.name = "beta2",
     .access = MTREC_AT(train.optimizer.beta2),
     .part = kTrain,
     .doc = "Adam's second-moment decay",
     .range = HalfOpen(0, 1),
     .json_form = kAlways,
     .json = "train.beta2"},
    {.name = "eps",
     .access = MTREC_AT(train.optimizer.eps),
     .part = kTrain,
     .doc = "Adam's epsilon (Adagrad uses 1e-10)",
     .range = Above(0),
     .json_form = kAlways,
     .json = "train.eps"},
    {.name = "weight_decay",
     .access = MTREC_AT(train.optimizer.weight_decay),
     .part = kTrain,
     .doc = "L2 penalty added to the gradient (torch's weight_decay)",
     .range = AtLeast(0),
     .json_form = kAlways,
     .json = "train.l2",
     .flag_form = kValue,
     .flag = "l2",
     .in_sweep = true,
     .python = "l2"},
    {.name = "seed",
     .access = MTREC_AT(train.seed),
     .part = kTrain,
     .doc = "seeds the initialisation and the training stream (shuffle, negatives)",
     .json_form = kAlways,
     .json = "train.seed",
     .flag_form = kValue,
     .flag = "seed",
     .python = "seed"},
    {.name = "init_weights",
     .access = MTREC_AT(init_weights),
     .part = kExperiment,
     .doc = "start from parameters dumped by reference/train_reference.py --dump_init",
     .json_form = kAlways,
     .json = "train.init_weights",
     .flag_form = kValue,
     .flag = "init_weights",
     .metavar = "DIR"},
    // early stopping
    {.name = "early_stopping_metric",
     .access = WithChoices(
         ChoiceRef{[](const ExperimentConfig& c) { return MetricName(c.early_stopping.metric); },
                   [](ExperimentConfig& c, std::string_view v) {
                     if (v == MetricName(Metric::kNone)) {
                       c.early_stopping.metric = Metric::kNone;
                       return Status::Ok();
                     }
                     MTREC_ASSIGN_OR_RETURN(c.early_stopping.metric,
                                            ParseMetric(v, "early_stopping"));
                     return Status::Ok();
                   },
                   nullptr},
         "none|mrr|mse"),
     .part = kEarlyStopping,
     .doc = "the validation metric early stopping follows (none: off)",
     .json_form = kAlways,
     .json = "early_stopping.metric"},
    {.name = "early_stopping",
     .access = ChoiceRef{
         [](const ExperimentConfig& c) { return EarlyStoppingRuleName(c.early_stopping); },
         [](ExperimentConfig& c, std::string_view v) {
           return ParseEarlyStoppingRule(v, &c.early_stopping);
         },
         "mrr|mse|per_head|none"},
     .part = kEarlyStopping,
     .doc = "stop when this validation metric has not improved for --patience epochs, and end "
            "with the best epoch's weights; per_head (separate embeddings): the ranking head's "
            "weights of the best mrr epoch and the rating head's of the best mse epoch, stopping "
            "when neither improves; none: off (e.g. beside --recipe mtrec)",
     .flag_form = kValue,
     .flag = "early_stopping",
     .in_sweep = true,
     .default_text = "off"},
    {.name = "patience",
     .access = MTREC_AT(early_stopping.patience),
     .part = kEarlyStopping,
     .doc = "epochs without improvement before --early_stopping stops the run",
     .range = AtLeast(1),
     .json_form = kAlways,
     .json = "early_stopping.patience",
     .flag_form = kValue,
     .flag = "patience",
     .in_sweep = true},
    {.name = "per_head",
     .access = MTREC_AT(early_stopping.per_head),
     .part = kEarlyStopping,
     .doc = "each head by its own metric (--early_stopping per_head)",
     .json_form = kAdded,
     .json = "early_stopping.per_head"},
    {.name = "refit",
     .access = MTREC_AT(early_stopping.refit),
     .part = kEarlyStopping,
     .doc = "after --early_stopping, train a fresh model on the training rows AND the validation "
            "rows for the chosen epochs (per_head: each head for its own) and save that one",
     .json_form = kAdded,
     .json = "early_stopping.refit",
     .flag_form = kOptionalBool,
     .flag = "refit",
     .in_sweep = true},
    {.name = "rating_l2_grid",
     .access = MTREC_AT(early_stopping.rating_l2_grid),
     .part = kEarlyStopping,
     .doc = "with --early_stopping per_head: choose --rating_l2 among these on validation (each "
            "value's rating head trained alone, early-stopped on validation MSE; the lowest "
            "wins), then run with it (--rating_l2 chosen, no grid)",
     .range = AtLeast(0),
     .json_form = kAdded,
     .json = "early_stopping.rating_l2_grid",
     .flag_form = kValue,
     .flag = "rating_l2_grid",
     .metavar = "L[,L...]"},
    // how the run executes
    {.name = "threads",
     .access = MTREC_AT(threads),
     .part = kExperiment,
     .doc = "worker threads (results are identical for any count)",
     .range = Closed(1, ExperimentConfig::kMaxThreads),
     .flag_form = kValue,
     .flag = "threads",
     .in_sweep = true,
     .default_text = "all cores",
     .zero_means = "every hardware thread",
     .python = "threads"},
    {.name = "shard_tables",
     .access = MTREC_AT(shard_tables),
     .part = kExperiment,
     .doc = "under several ranks, split every table and its optimizer state across them "
            "(results are identical either way)",
     .flag_form = kOptionalBool,
     .flag = "shard_tables",
     .python = "shard_tables"},
};

#undef MTREC_NAMED
#undef MTREC_AT

std::string Num(double v) { return NumberText(v); }

bool Bounded(double v) { return std::isfinite(v); }

bool InRange(const ValueRange& r, double v) {
  if (r.lo_open ? !(v > r.lo) : !(v >= r.lo)) return false;
  return r.hi_open ? v < r.hi : v <= r.hi;
}

bool Unchecked(const ValueRange& r) { return !Bounded(r.lo) && !Bounded(r.hi); }

// "[1, 1000]", ">= 0", "(0, 1)".
std::string Interval(const ValueRange& r) {
  if (!Bounded(r.hi)) return std::string(r.lo_open ? "> " : ">= ") + Num(r.lo);
  return (r.lo_open ? "(" : "[") + Num(r.lo) + ", " + Num(r.hi) + (r.hi_open ? ")" : "]");
}

}  // namespace

std::span<const ConfigField> ConfigFields() { return kFields; }

const ConfigField* FindConfigField(std::string_view name) {
  for (const ConfigField& f : kFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

std::string FieldText(const ConfigField& field, const ExperimentConfig& config) {
  return VisitValue(field, config, [](const auto& v) -> std::string {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, bool>) {
      return v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, double>) {
      return Num(v);
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, const char*>) {
      return v;
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
      std::string out;
      for (int w : v) out += (out.empty() ? "" : ",") + std::to_string(w);
      return out;
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      std::string out;
      for (double w : v) out += (out.empty() ? "" : ",") + Num(w);
      return out;
    } else {
      return std::to_string(v);
    }
  });
}

std::string RangeText(const ConfigField& field) {
  const ValueRange& r = field.range;
  const bool is_double = std::holds_alternative<FieldRef<double>>(field.access) ||
                         std::holds_alternative<FieldRef<std::vector<double>>>(field.access);
  if (is_double) {
    return (Bounded(r.hi) ? "a number " : "a finite number ") +
           std::string(Bounded(r.hi) ? "in " : "") + Interval(r);
  }
  return "an integer " + std::string(Bounded(r.hi) ? "in " : "") + Interval(r);
}

Status CheckField(const ConfigField& field, const ExperimentConfig& config) {
  if (Unchecked(field.range)) return Status::Ok();
  auto& c = const_cast<ExperimentConfig&>(config);  // read only
  const auto fail = [&field](const std::string& expected, const std::string& got) {
    std::string what = "expected " + expected;
    if (field.zero_means != nullptr) {
      what = "expected 0 (" + std::string(field.zero_means) + ") or " + expected;
    }
    return Status::InvalidArgument(std::string(field.name) + ": " + what + ", got " + got);
  };
  if (const auto* d = std::get_if<FieldRef<double>>(&field.access)) {
    const double v = d->of(c);
    if (!std::isfinite(v) || !InRange(field.range, v)) return fail(RangeText(field), Num(v));
  } else if (const auto* i = std::get_if<FieldRef<int>>(&field.access)) {
    const int v = i->of(c);
    if (!InRange(field.range, v) && !(v == 0 && field.zero_means != nullptr)) {
      return fail(RangeText(field), std::to_string(v));
    }
  } else if (const auto* list = std::get_if<FieldRef<std::vector<int>>>(&field.access)) {
    const std::vector<int>& values = list->of(c);
    if (values.empty()) return fail("at least one value", "none");
    for (int v : values) {
      if (!InRange(field.range, v)) {
        return fail("every value to be " + RangeText(field), std::to_string(v));
      }
    }
  } else if (const auto* numbers = std::get_if<FieldRef<std::vector<double>>>(&field.access)) {
    for (double v : numbers->of(c)) {  // a list of numbers may be empty (off)
      if (!std::isfinite(v) || !InRange(field.range, v)) {
        return fail("every value to be " + RangeText(field), Num(v));
      }
    }
  }
  return Status::Ok();
}

}  // namespace mtrec
