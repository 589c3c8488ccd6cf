// Manifests as applied: run labels on objects and pod templates, quoted scalars kept quoted.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "steps/manifest.h"

using namespace labctl;

TEST(Manifest, StampsObjectsAndPodTemplates) {
  auto r = steps::stamp_manifest(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {app: x}}\n"
      "    spec: {containers: [{name: c, args: [\"--print-time\", \"5\"]}]}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {app: x}}\n",
      {{"labctl.dev/run", "r12345"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].kind, "Deployment");
  EXPECT_EQ(r->objects[1].name, "s");
  auto docs = YAML::LoadAll(r->yaml);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["metadata"]["labels"]["labctl.dev/run"].as<std::string>(), "r12345");
  EXPECT_EQ(docs[0]["spec"]["template"]["metadata"]["labels"]["labctl.dev/run"].as<std::string>(), "r12345");
  EXPECT_EQ(docs[0]["spec"]["template"]["metadata"]["labels"]["app"].as<std::string>(), "x");
  EXPECT_EQ(docs[1]["metadata"]["labels"]["labctl.dev/run"].as<std::string>(), "r12345");
  // "5" must stay a string: the API server rejects a number in args.
  EXPECT_NE(r->yaml.find("\"5\""), std::string::npos) << r->yaml;
}

TEST(Manifest, RejectsDocumentsWithoutName) {
  EXPECT_FALSE(steps::stamp_manifest("kind: Pod\nmetadata: {}\n", {}));
  EXPECT_FALSE(steps::stamp_manifest("kind: [unclosed\n", {}));
}
