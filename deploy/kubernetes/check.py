"""The Kubernetes manifests parse, and what they ask of the binaries exists: every flag a container
passes is one its binary has (its --helpfull), every address it listens on has its containerPort,
every port a probe, a Service or a scrape annotation names is one the pod declares."""
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")  # the runfiles: coordinator/fanout-coordinator, ...
LISTEN_FLAGS = ("--listen", "--http_listen", "--metrics_listen")
errors = []


def binary_flags(path):
    base = os.path.basename(path)
    local = os.path.join(ROOT, base[len("fanout-"):], base)
    out = subprocess.run([local, "--helpfull"], capture_output=True, text=True).stdout
    return set(re.findall(r"^ +(--[a-z_0-9]+) \(", out, re.M))


def check_pod(where, spec, annotations):
    names, numbers = set(), set()
    for c in spec["containers"]:
        ports = {p["containerPort"]: p.get("name") for p in c.get("ports", [])}
        names.update(n for n in ports.values() if n)
        numbers.update(ports)
        known = binary_flags(c["command"][0])
        listened = set()
        for arg in c.get("args", []):
            flag, _, value = arg.partition("=")
            if flag not in known:
                errors.append(f"{where}: {c['command'][0]} has no flag {flag}")
            if flag in LISTEN_FLAGS:
                listened.add(int(value.rsplit(":", 1)[1]))
        for port in listened - set(ports):
            errors.append(f"{where}: listens on {port} but declares no containerPort for it")
        for port in set(ports) - listened:
            errors.append(f"{where}: containerPort {port} is no address it listens on")
        for probe in ("readinessProbe", "livenessProbe"):
            for kind in ("tcpSocket", "grpc", "httpGet"):
                port = c.get(probe, {}).get(kind, {}).get("port")
                if port is not None and port not in names | numbers:
                    errors.append(f"{where}: {probe} names port {port}, which it does not declare")
    scrape = annotations.get("prometheus.io/port")
    if scrape is not None and int(scrape) not in numbers:
        errors.append(f"{where}: scrapes port {scrape}, which it does not declare")
    return names


def main():
    pods, services = {}, []
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(HERE, name)) as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                for key in ("apiVersion", "kind", "metadata"):
                    if key not in doc:
                        errors.append(f"{name}: a document without {key}")
                where = f"{name}: {doc.get('kind')} {doc['metadata'].get('name')}"
                if doc["kind"] in ("Deployment", "StatefulSet"):
                    template = doc["spec"]["template"]
                    labels = template["metadata"]["labels"]
                    if doc["spec"]["selector"]["matchLabels"] != labels:
                        errors.append(f"{where}: its selector does not select its pods")
                    pods[frozenset(labels.items())] = check_pod(
                        where, template["spec"], template["metadata"].get("annotations", {}))
                elif doc["kind"] == "Service":
                    services.append((where, doc["spec"]))
    for where, spec in services:
        selected = [n for labels, n in pods.items() if set(spec["selector"].items()) <= labels]
        if not selected:
            errors.append(f"{where}: selects no pod")
        for port in spec["ports"]:
            if all(port["targetPort"] not in names for names in selected):
                errors.append(f"{where}: targetPort {port['targetPort']} is no port of its pods")
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
