#include "cli/experiment_flags.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "cli/data_flags.h"
#include "mtrec/config_schema.h"

namespace mtrec::cli {

namespace {

// A schema field's error ("bpr_loss: expected ...") as its flag's.
Status AsFlagError(const ConfigField& field, Status s) {
  const std::string prefix = std::string(field.name) + ":";
  if (s.ok() || !s.message().starts_with(prefix)) return s;
  return Status::InvalidArgument("--" + std::string(field.flag) +
                                 s.message().substr(prefix.size() - 1));
}

// Registers `field`'s flag (or pair of flags), writing into `c`.
void AddFieldFlag(FlagSet& flags, const ConfigField& f, ExperimentConfig& c) {
  const std::string flag = f.flag;
  if (const auto* choice = std::get_if<ChoiceRef>(&f.access)) {
    const std::string shown = f.default_text != nullptr ? f.default_text : choice->get(c);
    flags.AddValue(
        flag, choice->choices, f.doc, shown,
        [&f, &c, set = choice->set](std::string_view v) { return AsFlagError(f, set(c, v)); });
  } else if (const auto* b = std::get_if<FieldRef<bool>>(&f.access)) {
    bool& target = b->of(c);
    switch (f.flag_form) {
      case FlagForm::kOptionalBool:
        flags.AddOptionalBool(flag, &target, f.doc);
        break;
      case FlagForm::kSwitchPair:
        flags.AddSwitch(flag, f.doc, [&target] { target = true; });
        flags.AddSwitch("no_" + flag, f.off_doc, [&target] { target = false; });
        break;
      default:
        flags.AddSwitch(flag, f.doc, [&target] { target = true; });
    }
  } else if (const auto* i = std::get_if<FieldRef<int>>(&f.access)) {
    if (f.zero_means != nullptr) {  // the automatic 0 is the default, never a flag's value
      flags.AddIntInRange(flag, &i->of(c), static_cast<int>(f.range.lo),
                          static_cast<int>(f.range.hi), f.doc);
    } else {
      flags.AddInt(flag, &i->of(c), f.doc);
    }
  } else if (const auto* u = std::get_if<FieldRef<uint32_t>>(&f.access)) {
    flags.AddUint32(flag, &u->of(c), f.doc);
  } else if (const auto* d = std::get_if<FieldRef<double>>(&f.access)) {
    flags.AddDouble(flag, &d->of(c), f.doc);
  } else if (const auto* text = std::get_if<FieldRef<std::string>>(&f.access)) {
    flags.AddString(flag, &text->of(c), f.metavar, f.doc);
  } else if (const auto* list = std::get_if<FieldRef<std::vector<int>>>(&f.access)) {
    std::vector<int>& target = list->of(c);
    flags.AddValue(flag, f.metavar, f.doc, FieldText(f, c), [flag, &target](std::string_view v) {
      return ParseIntListFlag(flag, v, &target);
    });
  } else if (const auto* numbers = std::get_if<FieldRef<std::vector<double>>>(&f.access)) {
    std::vector<double>& target = numbers->of(c);
    flags.AddValue(flag, f.metavar, f.doc, FieldText(f, c), [flag, &target](std::string_view v) {
      return ParseNumberListFlag(flag, v, &target);
    });
  }
  if (f.default_text != nullptr) flags.SetDefaultText(flag, f.default_text);
}

// The schema's flags of `mtrec sweep` (in_sweep) or train's own (the rest).
void AddSchemaFlags(FlagSet& flags, ExperimentConfig& c, bool in_sweep) {
  for (const ConfigField& f : ConfigFields()) {
    if (f.flag_form != FlagForm::kNoFlag && f.in_sweep == in_sweep) AddFieldFlag(flags, f, c);
  }
}

// A predefined split's flags: --train and --test together, --validation with
// them, none beside the flags they replace.
Status CheckSplitFlags(const FlagSet& flags) {
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("dataset", "train"));
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("test_fraction", "test"));
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("validation_fraction", "validation"));
  for (const char* part : {"test", "validation"}) {
    if (flags.was_given(part) && !flags.was_given("train")) {
      return Status::InvalidArgument("--" + std::string(part) +
                                     " needs --train FILE (a predefined split's training rows)");
    }
  }
  if (flags.was_given("train") && !flags.was_given("test")) {
    return Status::InvalidArgument("--train needs --test FILE (the predefined split's test rows)");
  }
  return Status::Ok();
}

}  // namespace

void AddExperimentFlags(FlagSet& flags, ExperimentConfig& c) {
  AddDataFlags(flags, c.data);
  AddSchemaFlags(flags, c, /*in_sweep=*/true);
}

void AddObjectiveFlags(FlagSet& flags, ExperimentConfig& c) {
  AddSchemaFlags(flags, c, /*in_sweep=*/false);
}

std::string RunName(const ExperimentConfig& c) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "shared=%s_LF=%g_LR=%g",
                c.model.shared_embeddings ? "True" : "False", c.train.factorization_weight,
                c.train.regression_weight);
  return buf;
}

Status ResolveExperimentDefaults(const FlagSet& flags, ExperimentConfig& c, bool user_patience) {
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("raw_ids", "remap_ids"));
  MTREC_RETURN_IF_ERROR(CheckSplitFlags(flags));
  if (flags.was_given("train")) c.data.dataset.clear();  // not read: config.json names the files
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("shared_embeddings", "no_shared_embeddings"));
  if (user_patience && flags.was_given("patience") && c.early_stopping.metric == Metric::kNone) {
    return Status::InvalidArgument(
        "--patience: needs --early_stopping (it counts the epochs early stopping waits for a "
        "better one)");
  }
  if (c.early_stopping.metric != Metric::kNone && !flags.was_given("validation_fraction") &&
      !flags.was_given("validation")) {
    c.validation_fraction = kDefaultValidationFraction;
  }
  if (!flags.was_given("learning_rate")) {
    c.train.optimizer.learning_rate = DefaultLearningRate(c.train.optimizer.kind);
  }
  return Status::Ok();
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

void MakePathsAbsolute(ExperimentConfig& c) {
  std::error_code ec;
  if (std::filesystem::exists(c.data.dataset, ec)) c.data.dataset = AbsolutePath(c.data.dataset);
  c.data.data_dir = AbsolutePath(c.data.data_dir);
  c.init_weights = AbsolutePath(c.init_weights);
  for (std::string* path : {&c.data.train_path, &c.data.test_path, &c.data.validation_path}) {
    *path = AbsolutePath(*path);
  }
}

}  // namespace mtrec::cli
