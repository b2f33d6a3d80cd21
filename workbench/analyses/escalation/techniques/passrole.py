"""Techniques that pass a role to a compute service and run code as it: iam:PassRole of the role
with iam:PassedToService set to the service, the service's own right to assume the role (its
trust policy, decided for the service principal), and the service calls that create and start
the compute (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html). Which calls each
path needs follows pathfinding.cloud's `permissions.required`; the ARNs of created resources use
an attacker-chosen name (`template_arn`). A path that needs something to exist that the export
cannot show (a stream to trigger from, a cluster, a job) is conditional on it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.techniques.base import (
    Ask,
    Proposal,
    account_of,
    region_of,
    service_context,
    template_arn,
)


@dataclass(frozen=True)
class PassRolePath:
    """One new-passrole path: the service the role is passed to, and the calls that use it, each
    with the resource kind it acts on (`service:kind-prefix`, or `*` for calls without one)."""

    id: str
    service: str  # the service principal the role must trust
    calls: tuple[tuple[str, str], ...]  # (action, resource kind: "lambda:function:" or "*")
    needs: str | None = None  # what must already exist (conditional)


def _arn(kind: str, account: str, region: str) -> str:
    if kind == "*":
        return "*"
    service, rest = kind.split(":", 1)
    return template_arn(service, account, rest, region=region)


PASSROLE_PATHS = (
    PassRolePath("lambda-001", "lambda.amazonaws.com",
                 (("lambda:CreateFunction", "lambda:function:"), ("lambda:InvokeFunction", "lambda:function:"))),
    PassRolePath("lambda-002", "lambda.amazonaws.com",
                 (("lambda:CreateFunction", "lambda:function:"), ("lambda:CreateEventSourceMapping", "*")),
                 "an event source to trigger the function (a DynamoDB or Kinesis stream, an SQS queue); "
                 "the export does not list them"),
    PassRolePath("lambda-006", "lambda.amazonaws.com",
                 (("lambda:CreateFunction", "lambda:function:"), ("lambda:AddPermission", "lambda:function:"))),
    PassRolePath("ec2-001", "ec2.amazonaws.com", (("ec2:RunInstances", "ec2:instance/"),)),
    PassRolePath("ec2-003", "ec2.amazonaws.com", (("ec2:RequestSpotInstances", "ec2:spot-instances-request/"),)),
    PassRolePath("ecs-001", "ecs-tasks.amazonaws.com",
                 (("ecs:CreateCluster", "ecs:cluster/"), ("ecs:RegisterTaskDefinition", "*"),
                  ("ecs:CreateService", "ecs:service/iamwb-escalation/"))),
    PassRolePath("ecs-002", "ecs-tasks.amazonaws.com",
                 (("ecs:CreateCluster", "ecs:cluster/"), ("ecs:RegisterTaskDefinition", "*"),
                  ("ecs:RunTask", "ecs:task-definition/"))),
    PassRolePath("ecs-003", "ecs-tasks.amazonaws.com",
                 (("ecs:RegisterTaskDefinition", "*"), ("ecs:CreateService", "ecs:service/iamwb-escalation/")),
                 "an ECS cluster to run the service in; the export does not list clusters"),
    PassRolePath("ecs-004", "ecs-tasks.amazonaws.com",
                 (("ecs:RegisterTaskDefinition", "*"), ("ecs:RunTask", "ecs:task-definition/")),
                 "an ECS cluster to run the task in; the export does not list clusters"),
    PassRolePath("ecs-005", "ecs-tasks.amazonaws.com",
                 (("ecs:RegisterTaskDefinition", "*"), ("ecs:StartTask", "ecs:task-definition/")),
                 "an ECS cluster with registered container instances; the export does not list them"),
    PassRolePath("glue-001", "glue.amazonaws.com", (("glue:CreateDevEndpoint", "glue:devEndpoint/"),)),
    PassRolePath("glue-003", "glue.amazonaws.com",
                 (("glue:CreateJob", "glue:job/"), ("glue:StartJobRun", "glue:job/"))),
    PassRolePath("glue-004", "glue.amazonaws.com",
                 (("glue:CreateJob", "glue:job/"), ("glue:CreateTrigger", "glue:trigger/"))),
    PassRolePath("glue-005", "glue.amazonaws.com",
                 (("glue:UpdateJob", "glue:job/"), ("glue:StartJobRun", "glue:job/")),
                 "an existing Glue job to update; the export does not list jobs"),
    PassRolePath("glue-006", "glue.amazonaws.com",
                 (("glue:UpdateJob", "glue:job/"), ("glue:CreateTrigger", "glue:trigger/")),
                 "an existing Glue job to update; the export does not list jobs"),
    PassRolePath("cloudformation-001", "cloudformation.amazonaws.com",
                 (("cloudformation:CreateStack", "cloudformation:stack/iamwb-escalation/"),)),
    PassRolePath("cloudformation-003", "cloudformation.amazonaws.com",
                 (("cloudformation:CreateStackSet", "cloudformation:stackset/"),
                  ("cloudformation:CreateStackInstances", "cloudformation:stackset/"))),
    PassRolePath("cloudformation-004", "cloudformation.amazonaws.com",
                 (("cloudformation:UpdateStackSet", "cloudformation:stackset/"),),
                 "an existing stack set to update; the export does not list stack sets"),
    PassRolePath("codebuild-001", "codebuild.amazonaws.com",
                 (("codebuild:CreateProject", "codebuild:project/"), ("codebuild:StartBuild", "codebuild:project/"))),
    PassRolePath("codebuild-004", "codebuild.amazonaws.com",
                 (("codebuild:CreateProject", "codebuild:project/"),
                  ("codebuild:StartBuildBatch", "codebuild:project/"))),
    PassRolePath("datapipeline-001", "datapipeline.amazonaws.com",
                 (("datapipeline:CreatePipeline", "*"), ("datapipeline:PutPipelineDefinition", "*"),
                  ("datapipeline:ActivatePipeline", "*"))),
    PassRolePath("sagemaker-001", "sagemaker.amazonaws.com",
                 (("sagemaker:CreateNotebookInstance", "sagemaker:notebook-instance/"),)),
    PassRolePath("sagemaker-002", "sagemaker.amazonaws.com",
                 (("sagemaker:CreateTrainingJob", "sagemaker:training-job/"),)),
    PassRolePath("sagemaker-003", "sagemaker.amazonaws.com",
                 (("sagemaker:CreateProcessingJob", "sagemaker:processing-job/"),)),
    PassRolePath("apprunner-001", "tasks.apprunner.amazonaws.com",
                 (("apprunner:CreateService", "apprunner:service/"),)),
    PassRolePath("bedrock-001", "bedrock-agentcore.amazonaws.com",
                 (("bedrock-agentcore:CreateCodeInterpreter", "*"),
                  ("bedrock-agentcore:StartCodeInterpreterSession", "*"),
                  ("bedrock-agentcore:InvokeCodeInterpreter", "*"))),
)


def _instance_profile_options(model: EscalationModel, actor: str, role_arn: str) -> list[tuple[tuple[Ask, ...], str]]:
    """EC2 takes a role only inside an instance profile, which holds one role: the role's own
    (the export lists it), a new one the actor creates and fills (iam:CreateInstanceProfile,
    iam:AddRoleToInstanceProfile), or another role's profile emptied and refilled
    (iam:RemoveRoleFromInstanceProfile, iam:AddRoleToInstanceProfile)
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html)."""
    role = model.role(role_arn)
    if role is not None and role.instance_profiles:
        return [((), f"through its instance profile {role.instance_profiles[0]}")]
    who = model.actor(actor)
    new = f"arn:aws:iam::{account_of(role_arn)}:instance-profile/iamwb-escalation"
    create = (Ask(who, "iam:CreateInstanceProfile", new), Ask(who, "iam:AddRoleToInstanceProfile", new))
    options: list[tuple[tuple[Ask, ...], str]] = [(create, "through a new instance profile")]
    if model.may(actor, "iam:RemoveRoleFromInstanceProfile"):
        holder = model.inventory.accounts.get(account_of(role_arn))
        for other in holder.roles.values() if holder else []:
            for profile in other.instance_profiles:
                options.append(((Ask(who, "iam:RemoveRoleFromInstanceProfile", profile),
                                 Ask(who, "iam:AddRoleToInstanceProfile", profile)),
                                f"through instance profile {profile}, emptied of {other.name} and given the role"))
    return options


def propose_passrole(path: PassRolePath, model: EscalationModel, actors: Sequence[str]) -> Iterator[Proposal]:
    region = region_of(model)
    for actor in actors:
        if not model.may(actor, "iam:PassRole") or not all(model.may(actor, a) for a, _ in path.calls):
            continue
        account = account_of(actor)
        calls_arns = [_arn(kind, account, region) for _, kind in path.calls]
        source = service_context(account, next((a for a in calls_arns if a.startswith("arn:")), ""))
        for role in model.target_roles(account):  # a role is passed within its own account
            if role.arn == actor or not model.may(actor, "iam:PassRole", role.arn) \
                    or not model.trusts(path.service, role.arn, source):
                continue  # the service must be able to assume the role (decided again as an ask)
            who = model.actor(actor)
            asks = (Ask(path.service, "sts:AssumeRole", role.arn, source),
                    Ask(who, "iam:PassRole", role.arn, (("iam:PassedToService", path.service),)))
            calls = tuple(Ask(who, action, arn) for (action, _), arn in zip(path.calls, calls_arns, strict=True))
            options: list[tuple[tuple[Ask, ...], str]] = [((), "")]
            if path.service == "ec2.amazonaws.com":
                options = _instance_profile_options(model, actor, role.arn)
            for extra, note in options:
                yield Proposal(path.id, actor, role.arn, "become", asks + extra + calls,
                               conditional=f"needs {path.needs}" if path.needs else None,
                               notes=(f"the role reaches the instance {note}",) if note else ())
