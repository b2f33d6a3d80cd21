"""Techniques that run code inside compute that already exists with a role: update a Lambda
function's code, a Glue dev endpoint's keys, a CloudFormation stack, a CodeBuild project's build,
a SageMaker notebook, an App Runner service or a Bedrock code interpreter; reach an EC2 instance
through SSM or EC2 Instance Connect, or change its user data or launch template. The export shows
roles, not the functions, stacks or instances that run with them, so each edge is conditional on
such a resource existing with the role; the requests the attacker makes are still decided (on
the resource kind, any name), and the role must trust the service
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html,
https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-methods.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.techniques.base import Ask, Proposal, region_of, service_context


@dataclass(frozen=True)
class ExistingPath:
    id: str
    service: str  # the service principal the role must trust
    calls: tuple[tuple[str, str], ...]  # (action, resource kind `service:kind` with the name left to `*`)
    what: str  # the resource that must exist
    instance: bool = False  # the role reaches it through an instance profile


EXISTING_PATHS = (
    ExistingPath("lambda-003", "lambda.amazonaws.com", (("lambda:UpdateFunctionCode", "lambda:function:"),),
                 "a Lambda function that runs with the role and is invoked by something"),
    ExistingPath("lambda-004", "lambda.amazonaws.com",
                 (("lambda:UpdateFunctionCode", "lambda:function:"), ("lambda:InvokeFunction", "lambda:function:")),
                 "a Lambda function that runs with the role"),
    ExistingPath("lambda-005", "lambda.amazonaws.com",
                 (("lambda:UpdateFunctionCode", "lambda:function:"), ("lambda:AddPermission", "lambda:function:")),
                 "a Lambda function that runs with the role"),
    ExistingPath("glue-002", "glue.amazonaws.com", (("glue:UpdateDevEndpoint", "glue:devEndpoint/"),),
                 "a Glue dev endpoint that runs with the role"),
    ExistingPath("cloudformation-002", "cloudformation.amazonaws.com",
                 (("cloudformation:UpdateStack", "cloudformation:stack/"),),
                 "a CloudFormation stack whose service role is the role"),
    ExistingPath("cloudformation-005", "cloudformation.amazonaws.com",
                 (("cloudformation:CreateChangeSet", "cloudformation:stack/"),
                  ("cloudformation:ExecuteChangeSet", "cloudformation:stack/")),
                 "a CloudFormation stack whose service role is the role"),
    ExistingPath("codebuild-002", "codebuild.amazonaws.com", (("codebuild:StartBuild", "codebuild:project/"),),
                 "a CodeBuild project whose service role is the role"),
    ExistingPath("codebuild-003", "codebuild.amazonaws.com", (("codebuild:StartBuildBatch", "codebuild:project/"),),
                 "a CodeBuild project whose service role is the role"),
    ExistingPath("sagemaker-004", "sagemaker.amazonaws.com",
                 (("sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:notebook-instance/"),),
                 "a SageMaker notebook instance that runs with the role"),
    ExistingPath("sagemaker-005", "sagemaker.amazonaws.com",
                 (("sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:notebook-instance-lifecycle-config/"),
                  ("sagemaker:StopNotebookInstance", "sagemaker:notebook-instance/"),
                  ("sagemaker:UpdateNotebookInstance", "sagemaker:notebook-instance/"),
                  ("sagemaker:StartNotebookInstance", "sagemaker:notebook-instance/")),
                 "a SageMaker notebook instance that runs with the role"),
    ExistingPath("apprunner-002", "tasks.apprunner.amazonaws.com", (("apprunner:UpdateService", "apprunner:service/"),),
                 "an App Runner service whose instance role is the role"),
    ExistingPath("bedrock-002", "bedrock-agentcore.amazonaws.com",
                 (("bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:code-interpreter-custom/"),
                  ("bedrock-agentcore:InvokeCodeInterpreter", "bedrock-agentcore:code-interpreter-custom/")),
                 "a Bedrock AgentCore code interpreter that runs with the role"),
    ExistingPath("ec2-002", "ec2.amazonaws.com",
                 (("ec2:ModifyInstanceAttribute", "ec2:instance/"), ("ec2:StopInstances", "ec2:instance/"),
                  ("ec2:StartInstances", "ec2:instance/")),
                 "an EC2 instance running with the role's instance profile", instance=True),
    ExistingPath("ec2-004", "ec2.amazonaws.com",
                 (("ec2:CreateLaunchTemplateVersion", "ec2:launch-template/"),
                  ("ec2:ModifyLaunchTemplate", "ec2:launch-template/")),
                 "a launch template with the role's instance profile that something launches from", instance=True),
    ExistingPath("ec2instanceconnect-003", "ec2.amazonaws.com",
                 (("ec2-instance-connect:SendSSHPublicKey", "ec2:instance/"),),
                 "an EC2 instance running with the role's instance profile, reachable over SSH", instance=True),
    ExistingPath("ssm-001", "ec2.amazonaws.com", (("ssm:StartSession", "ec2:instance/"),),
                 "an SSM-managed EC2 instance running with the role's instance profile", instance=True),
    ExistingPath("ssm-002", "ec2.amazonaws.com", (("ssm:SendCommand", "ec2:instance/"),),
                 "an SSM-managed EC2 instance running with the role's instance profile", instance=True),
)


def propose_existing(path: ExistingPath, model: EscalationModel, actors: Sequence[str]) -> Iterator[Proposal]:
    region = region_of(model)
    for actor in actors:
        if not all(model.may(actor, a) for a, _ in path.calls):
            continue
        who = model.actor(actor)
        who_account = actor.split(":")[4]
        source = service_context(who_account, "")  # the resource's own ARN is not known
        for role in model.target_roles(who_account):  # the resource and its role are in the actor's account
            if role.arn == actor or (path.instance and not role.instance_profiles) \
                    or not model.trusts(path.service, role.arn, source):
                continue
            asks = [Ask(path.service, "sts:AssumeRole", role.arn, source)]
            for action, kind in path.calls:
                service, rest = kind.split(":", 1)
                asks.append(Ask(who, action, f"arn:aws:{service}:{region}:{role.account}:{rest}*"))
            yield Proposal(path.id, actor, role.arn, "become", tuple(asks),
                           conditional=f"needs {path.what}; the export does not show it")
