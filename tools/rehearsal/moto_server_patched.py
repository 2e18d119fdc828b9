"""moto_server (moto 5.2.1) with the patches the rehearsal needs, then moto's own main(). Each patch
appends its name to PATCHED (printed to stderr at start):

1. asg-in-place-update: stack updates of AWS::AutoScaling::AutoScalingGroup in place. moto's
   CloudFormation replaces the group on ANY property change (delete + create: a new group name and
   all-new instances), so a parameter-only update of DesiredCapacity would destroy the master and rename
   the group the state machine was built with. AWS updates a group in place (only a new
   AutoScalingGroupName replaces it): sizes change through the group's normal scaling (scale-in
   protection honoured), and an AutoScalingRollingUpdate policy replaces instances whose launch template
   version is out of date.
2. cfn-update-followers: updates that follow what they point at. moto re-applies only resources whose own
   JSON names a changed parameter; AWS also updates a resource whose resolved properties change because
   something it refers to changed. Done for the two that matter: an Auto Scaling group whose launch
   template got a new version (then patch 1 rolls its instances: seed 000 step 8) and an ECS service whose
   task definition got a new revision (the image roll).
3. asg-balanced-placement: moto launches every instance of a group into the first subnet of
   VPCZoneIdentifier; AWS spreads a group over its AZs. Each new instance goes to the subnet of the AZ
   with the fewest of the group's InService instances (ties: subnet order).
4. cfn-ssm-parameter-values: SSM-typed stack parameters read back as AWS gives them (ParameterValue is
   the SSM parameter NAME, ResolvedValue its value); moto puts the resolved value into ParameterValue, and
   an update that writes back what it read then fails with HTTP 500.
5. ec2-attach-volume-states: AttachVolume as EC2 answers it: VolumeInUse for a volume attached to
   another instance, IncorrectState for an instance shutting down or terminated (moto attaches anyway).
6. state-snapshots: POST /rehearsal-api/snapshot?name=x and /rehearsal-api/restore?name=x deep-copy the
   whole account state, so each fault run starts from the deployed, booted stack without redeploying.

8. ecs-awsvpc-task-eni: RunTask of an awsvpc task gets its ENI attachment (section 8 below).

7. Change sets (section 7 below): parameter-only change sets list their changes with Replacement and
   Details, ExecuteChangeSet applies them the way UpdateStack does (then the stack's change sets are gone).
9. cfn-json-templates: a JSON template is parsed as JSON (section 9 below). moto parses every template
   with PyYAML's pure-Python loader first, several times per stack update and change set: over half of
   moto's CPU in the fault matrix went to it, and moto was the matrix's bottleneck.

Usage: python3 moto_server_patched.py -H 127.0.0.1 -p PORT   (same arguments as moto_server)
"""
import sys

from moto.autoscaling import models as asg_models
from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState, autoscaling_backends
from moto.cloudformation.parsing import ResourceMap

PATCHED = []


def _int(value):
    return None if value is None else int(value)


def _in_place_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json["Properties"]
    name = original_resource.name
    wanted = props.get("AutoScalingGroupName")
    if wanted and wanted != name:
        # A new name is the one change AWS implements by replacement.
        cls.delete_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    backend = autoscaling_backends[account_id][region_name]
    group = backend.autoscaling_groups[name]
    template = props.get("LaunchTemplate")
    old_version = str(group.launch_template_version) if template else None
    vpc = props.get("VPCZoneIdentifier")
    backend.update_auto_scaling_group(
        name=name,
        availability_zones=props.get("AvailabilityZones") or [],
        desired_capacity=_int(props.get("DesiredCapacity")),
        max_size=_int(props.get("MaxSize")),
        min_size=_int(props.get("MinSize")),
        launch_config_name=props.get("LaunchConfigurationName"),
        launch_template=template,
        vpc_zone_identifier=",".join(vpc) if isinstance(vpc, list) else vpc,
        health_check_period=_int(props.get("HealthCheckGracePeriod")),
        health_check_type=props.get("HealthCheckType"),
    )
    policy = (cloudformation_json.get("UpdatePolicy") or {}).get("AutoScalingRollingUpdate")
    new_version = str(group.launch_template_version) if template else None
    if policy is not None and template and new_version != old_version:
        # Rolling update: replace every instance launched from another launch template version.
        stale = [s.instance.id for s in list(group.instance_states) if s.lifecycle_state == "InService"]
        for instance_id in stale:
            backend.terminate_instance(instance_id, should_decrement=False)
    return group


def _balanced_replace(self, count_needed, propagated_tags):
    subnets = [s for s in (self.vpc_zone_identifier or "").split(",") if s]
    if len(subnets) <= 1 or count_needed <= 0:
        return _original_replace(self, count_needed, propagated_tags)
    ec2 = self.autoscaling_backend.ec2_backend
    zone_of = {s: ec2.get_subnet(s).availability_zone for s in subnets}
    for _ in range(count_needed):
        counts = {}
        for state in self.instance_states:
            if state.lifecycle_state == "InService":
                zone = state.instance._placement.zone
                counts[zone] = counts.get(zone, 0) + 1
        subnet = min(subnets, key=lambda s: (counts.get(zone_of[s], 0), subnets.index(s)))
        saved = self.vpc_zone_identifier
        try:
            self.vpc_zone_identifier = subnet
            _original_replace(self, 1, dict(propagated_tags))
        finally:
            self.vpc_zone_identifier = saved


def _references(value):
    """Logical ids a resource's JSON points at through Ref or Fn::GetAtt."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            else:
                found |= _references(inner)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


# Resources whose update follows a change of what they point at, as in AWS: a group picks up its launch
# template's new version (then rolls), a service its task definition's new revision (then deploys).
_FOLLOWERS = {"AWS::AutoScaling::AutoScalingGroup", "AWS::ECS::Service"}


def _diff_with_followers(self, other_template, parameters=None):
    actions = _original_diff(self, other_template, parameters)
    new = other_template["Resources"]
    modified = set(actions["Modify"])
    grew = True
    while grew:
        grew = False
        for name, resource in new.items():
            if name in modified or resource.get("Type") not in _FOLLOWERS or name not in self._resource_json_map:
                continue
            if _references(resource) & modified:
                modified.add(name)
                actions["Modify"].append(name)  # after what it follows: resolved with the new values
                grew = True
    return actions


_original_replace = FakeAutoScalingGroup.replace_autoscaling_group_instances
FakeAutoScalingGroup.update_from_cloudformation_json = classmethod(_in_place_update)
FakeAutoScalingGroup.replace_autoscaling_group_instances = _balanced_replace
_original_diff = ResourceMap.build_resource_diff
ResourceMap.build_resource_diff = _diff_with_followers
PATCHED.extend(["asg-in-place-update", "asg-balanced-placement", "cfn-update-followers"])
assert InstanceState and asg_models  # imported for their side effects / clarity

# 4. SSM-typed stack parameters read back as AWS gives them: ParameterValue is the SSM parameter NAME the
#    stack was given, ResolvedValue its value. moto 5.2.1 puts the resolved value into ParameterValue, so a
#    caller that writes the parameters it read back (update-stack's rollback restores every recorded value)
#    makes moto look up an SSM parameter named like the AMI id, and fail with HTTP 500.
from moto.cloudformation.models import Stack as CfnStack


def _parameter_list(self):
    slots = (self.template_dict or {}).get("Parameters", {}) or {}
    hidden = set(self.resource_map.no_echo_parameter_keys)
    out = []
    for key, value in self.resource_map.resolved_parameters.items():
        kind = str((slots.get(key) or {}).get("Type", ""))
        if key in hidden:
            out.append({"ParameterKey": key, "ParameterValue": "****"})
        elif kind.startswith("AWS::SSM::Parameter::Value"):
            given = (self.parameters or {}).get(key, (slots.get(key) or {}).get("Default"))
            out.append({"ParameterKey": key, "ParameterValue": given, "ResolvedValue": value})
        else:
            out.append({"ParameterKey": key, "ParameterValue": value})
    return out


CfnStack.parameter_list = property(_parameter_list)
PATCHED.append("cfn-ssm-parameter-values")

# 5. AttachVolume as EC2 answers it: a volume attached to another instance is VolumeInUse, and an instance
#    that is shutting down or terminated takes no volume (IncorrectState). moto attaches anyway, so a boot
#    racing a scale-in left a data volume "attached" to a terminated instance forever.
from moto.ec2.exceptions import EC2ClientError, VolumeInUseError
from moto.ec2.models.elastic_block_store import EBSBackend

_original_attach = EBSBackend.attach_volume


def _attach_volume(self, volume_id, instance_id, device_path, delete_on_termination=False):
    volume = self.get_volume(volume_id)
    instance = self.get_instance(instance_id)
    if volume is not None and volume.attachment is not None and volume.attachment.instance.id != instance_id:
        raise VolumeInUseError(volume_id, volume.attachment.instance.id)
    state = getattr(instance, "state", None) if instance is not None else None
    if state in ("shutting-down", "terminated"):
        raise EC2ClientError("IncorrectState", "Instance '%s' is not 'running'." % instance_id)
    return _original_attach(self, volume_id, instance_id, device_path, delete_on_termination)


EBSBackend.attach_volume = _attach_volume
PATCHED.append("ec2-attach-volume-states")

# 6. State snapshots, so the fault matrix restores "stack deployed, nodes booted" in a second instead of
#    redeploying and re-running every node's claim script for each run (POST /rehearsal-api/snapshot?name=x
#    and /rehearsal-api/restore?name=x). The whole account state is deep-copied in one go (one memo), so the
#    references between services (a stack's resources, a group's instances) stay consistent.
import copy
import copyreg
import threading
from collections import defaultdict

from moto.core.base_backend import BackendDict
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

copyreg.pickle(type(threading.Lock()), lambda _: (threading.Lock, ()))
copyreg.pickle(type(threading.RLock()), lambda _: (threading.RLock, ()))
_SNAPSHOTS = {}


def _copy_mapping(self, memo):
    """deepcopy of a dict/list subclass whose __init__ takes arguments (moto has several)."""
    cls = type(self)
    new = cls.__new__(cls)
    memo[id(self)] = new
    if isinstance(self, defaultdict):
        new.default_factory = self.default_factory
    for key, value in getattr(self, "__dict__", {}).items():
        new.__dict__[key] = copy.deepcopy(value, memo)
    if isinstance(self, dict):
        for key, value in dict.items(self):
            dict.__setitem__(new, copy.deepcopy(key, memo), copy.deepcopy(value, memo))
    else:
        list.extend(new, (copy.deepcopy(v, memo) for v in list.__iter__(self)))
    return new


def _prepare_classes():
    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, (dict, list))
                and value not in (dict, list, BackendDict)
                and "__deepcopy__" not in vars(value)
                and value.__module__.startswith("moto.")
            ):
                try:
                    value.__deepcopy__ = _copy_mapping
                except TypeError:
                    pass


def _capture():
    _prepare_classes()
    dicts = list(BackendDict._instances)
    state = [{account: dict(dict.items(regions)) for account, regions in dict.items(bd)} for bd in dicts]
    return dicts, copy.deepcopy(state)


def _restore(name):
    _prepare_classes()
    dicts, frozen = _SNAPSHOTS[name]
    state = copy.deepcopy(frozen)
    for bd in list(BackendDict._instances):
        if bd not in dicts:
            for regions in dict.values(bd):
                regions.reset()
    for bd, accounts in zip(dicts, state):
        for account in list(dict.keys(bd)):
            if account not in accounts:
                dict.__getitem__(bd, account).reset()
        for account, regions in accounts.items():
            target = bd[account]
            dict.clear(target)
            dict.update(target, regions)


_original_call = DomainDispatcherApplication.__call__


def _call(self, environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path in ("/rehearsal-api/snapshot", "/rehearsal-api/restore"):
        from urllib.parse import parse_qs

        name = (parse_qs(environ.get("QUERY_STRING", "")).get("name") or ["default"])[0]
        try:
            if path.endswith("snapshot"):
                _SNAPSHOTS[name] = _capture()
            else:
                _restore(name)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        except Exception as e:  # reported to the harness, which then falls back to redeploying
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [("%s: %s" % (type(e).__name__, e)).encode()]
    return _original_call(self, environ, start_response)


DomainDispatcherApplication.__call__ = _call
PATCHED.append("state-snapshots")

# 7. Change sets as update-stack uses them (create with the previous template and new parameters, review the
#    changes, execute). moto 5.2.1:
#    a. lists NO change for a change set on the previous template: it diffs templates only, never the
#       parameters, so a parameter-only update shows `Changes: []`; and it never reports Replacement, Scope,
#       Details or PhysicalResourceId (its Change has only Action, LogicalResourceId, ResourceType);
#    b. ExecuteChangeSet applies the resources but leaves the stack's recorded parameters and outputs as they
#       were, so the next change set back to the old values reads "didn't contain changes"; it executes any
#       change set (FAILED or already executed) again; and it keeps the executed change set, where AWS deletes
#       every change set of the stack once one is executed;
#    c. CreateChangeSet's UsePreviousValue takes the resolved value (an SSM-typed parameter's AMI id, not the
#       SSM parameter name UpdateStack keeps), and ListChangeSets ignores StackName.
#    Here: the changes are the diff an update applies (with patch 2's followers). A Modify gets one Detail per
#    property that names a changed parameter (Static, ParameterReference) or a modified resource (Dynamic,
#    ResourceReference), RequiresRecreation Always/Conditionally when AWS documents "Update requires:
#    Replacement" for that property (_REPLACED_BY, only the types below), and Replacement True / Conditional /
#    False from them. An UPDATE change set executes through Stack.update, the code UpdateStack runs (so
#    patches 1 and 2 apply the same way), once, and then the stack's change sets are gone.
#    Not modelled: Conditions a parameter flips (a resource added or removed), PolicyAction, nested stacks,
#    the ClientRequestToken on stack events (moto records none for UpdateStack either), asynchronous
#    CREATE_PENDING/CREATE_IN_PROGRESS (moto computes a change set at once).
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend
from moto.core.responses import ActionResult

_EVERY_PROPERTY = "*"
_REPLACED_BY = {
    "AWS::AutoScaling::AutoScalingGroup": {"AutoScalingGroupName", "InstanceId"},
    "AWS::EC2::LaunchTemplate": {"LaunchTemplateName"},
    "AWS::ECS::Cluster": {"ClusterName"},
    "AWS::ECS::Service": {"ServiceName", "Cluster", "Role", "SchedulingStrategy"},
    "AWS::ECS::TaskDefinition": {_EVERY_PROPERTY},  # every change registers a new revision
    "AWS::KMS::Key": {"KeySpec", "KeyUsage", "Origin", "MultiRegion"},
    "AWS::SecretsManager::Secret": {"Name"},
    "AWS::SSM::Parameter": {"Name"},
}


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


def _detail(prop, recreation, evaluation, source, entity):
    detail = {
        "Target": {"Attribute": "Properties", "Name": prop, "RequiresRecreation": recreation},
        "Evaluation": evaluation,
        "ChangeSource": source,
    }
    if entity:
        detail["CausingEntity"] = entity
    return detail


def _modify_details(kind, old_json, new_json, changed_parameters, modified):
    replaced_by = _REPLACED_BY.get(kind, set())
    old_props = (old_json or {}).get("Properties") or {}
    details = []
    for prop, value in ((new_json or {}).get("Properties") or {}).items():
        recreates = _EVERY_PROPERTY in replaced_by or prop in replaced_by
        if value != old_props.get(prop):
            details.append(_detail(prop, "Always" if recreates else "Never", "Static", "DirectModification", None))
            continue
        refs = _references(value)
        for parameter in sorted(refs & changed_parameters):
            details.append(_detail(prop, "Always" if recreates else "Never", "Static", "ParameterReference", parameter))
        for resource in sorted((refs & modified) - changed_parameters):
            details.append(_detail(prop, "Conditionally" if recreates else "Never", "Dynamic", "ResourceReference", resource))
    return details


def _physical_id(resource_map, name):
    try:
        return getattr(resource_map._parsed_resources.get(name), "physical_resource_id", None)
    except Exception:  # some moto models compute it from state that may be gone
        return None


_original_change_set_diff = ChangeSet.diff


def _change_set_diff(self):
    if self.change_set_type != "UPDATE":
        return _original_change_set_diff(self)
    resource_map = self.stack.resource_map
    old = resource_map._resource_json_map
    new = self.template_dict.get("Resources", {})
    actions = resource_map.build_resource_diff(self.template_dict, self.parameters)
    before = self.stack.stack_parameters  # given values, defaults included (moto's input_parameters lacks defaults)
    changed_parameters = {k for k, v in (self.parameters or {}).items() if before.get(k) != v}
    modified = set(actions["Modify"])
    changes = []
    for action in ("Add", "Modify", "Remove"):
        for name in actions[action]:
            kind = (new.get(name) or old.get(name))["Type"]
            change = Change(action=action, logical_resource_id=name, resource_type=kind)
            if action != "Add":
                change.physical_resource_id = _physical_id(resource_map, name)
            if action == "Modify":
                change.details = _modify_details(kind, old.get(name), new.get(name), changed_parameters, modified)
                recreation = {d["Target"]["RequiresRecreation"] for d in change.details}
                change.replacement = "True" if "Always" in recreation else "Conditional" if "Conditionally" in recreation else "False"
                change.scope = ["Properties"]
            changes.append(change)
    return changes


_original_execute_change_set = CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    change_set = self.describe_change_set(change_set_name)
    if change_set.change_set_type != "UPDATE":
        return _original_execute_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            "ChangeSet [%s] cannot be executed in its current execution status of [%s]"
            % (change_set.change_set_id, change_set.execution_status)
        )
    stack = self.stacks[change_set.stack_id]
    stack.update(change_set.template, stack.role_arn, parameters=change_set.parameters)
    change_set.execution_status = "EXECUTE_COMPLETE"
    for key in [k for k, cs in self.change_sets.items() if cs.stack_id == stack.stack_id]:
        del self.change_sets[key]


def _stack_parameters(self):
    """Values as the stack was given them: an SSM-typed parameter keeps its SSM name (UpdateStack's UsePreviousValue)."""
    slots = (self.template_dict or {}).get("Parameters", {}) or {}
    values = dict(self.resource_map.resolved_parameters)
    for key in values:
        if str((slots.get(key) or {}).get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
            values[key] = (self.parameters or {}).get(key, (slots.get(key) or {}).get("Default"))
    return values


def _list_change_sets(self):
    stack_name = self._get_param("StackName")
    summaries = [
        cs for cs in self.cloudformation_backend.list_change_sets() if stack_name in (None, cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": summaries})


ChangeSet.diff = _change_set_diff
CloudFormationBackend.execute_change_set = _execute_change_set
CfnStack.stack_parameters = property(_stack_parameters)
cfn_responses.CloudFormationResponse.list_change_sets = _list_change_sets
PATCHED.append("cfn-change-sets")


# 8. ecs-awsvpc-task-eni: RunTask of an awsvpc task definition (Fargate, the engine fleets) fails with HTTP 500
#    in moto 5.2.1: the task's ENI attachment reads NetworkInterface.private_dns_name, which moto's EC2 never
#    sets. AWS names it ip-<a-b-c-d>.<region>.compute.internal; here the same, from the ENI's address.
from moto.ec2.models.elastic_network_interfaces import NetworkInterface as _Eni  # noqa: E402

if not hasattr(_Eni, "private_dns_name"):
    _Eni.private_dns_name = property(
        lambda self: "ip-%s.%s.compute.internal" % ((self.private_ip_address or "0.0.0.0").replace(".", "-"), self.ec2_backend.region_name))
PATCHED.append("ecs-awsvpc-task-eni")

# 9. cfn-json-templates: CloudFormation reads a JSON template as JSON; moto 5.2.1 tries PyYAML's pure-Python
#    Loader first (JSON is YAML) on every parse: Stack.parse_template (stack create and update, and twice in
#    has_template for each change set) and ChangeSet._parse_template. The same dict comes out of json.loads
#    for the templates CDK writes, in milliseconds instead of seconds. Anything that is not JSON (a YAML
#    template) still goes through moto's own parser.
import json as _json  # noqa: E402

from moto.cloudformation.models import ChangeSet as _ChangeSet  # noqa: E402

_yaml_parse_template = CfnStack.parse_template


def _parse_template(template):
    if isinstance(template, str) and template.lstrip().startswith("{"):
        try:
            return _json.loads(template)
        except ValueError:
            pass
    return _yaml_parse_template(template)


def _change_set_parse_template(self):
    self.template_dict = _parse_template(self.template)


CfnStack.parse_template = staticmethod(_parse_template)
_ChangeSet._parse_template = _change_set_parse_template
PATCHED.append("cfn-json-templates")

if __name__ == "__main__":
    from moto.server import main

    sys.stderr.write("moto_server_patched: %s\n" % ", ".join(PATCHED))
    main(sys.argv[1:])
