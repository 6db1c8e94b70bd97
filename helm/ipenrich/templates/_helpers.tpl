{{/* Chart name, truncated to the 63 characters DNS labels allow. */}}
{{- define "ipenrich.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name: release-chart unless the release name already contains the chart name. */}}
{{- define "ipenrich.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ipenrich.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Recommended labels (app.kubernetes.io/*) of the worker's objects. */}}
{{- define "ipenrich.labels" -}}
{{ include "ipenrich.selectorLabels" . }}
{{ include "ipenrich.commonLabels" . }}
{{- end -}}

{{- define "ipenrich.commonLabels" -}}
helm.sh/chart: {{ include "ipenrich.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ipenrich
{{- end -}}

{{/* The emulator's own labels: never the worker's, or the worker's ServiceMonitor and PDB selectors would match it. */}}
{{- define "ipenrich.emulatorSelectorLabels" -}}
app.kubernetes.io/name: {{ include "ipenrich.name" . }}-emulator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ipenrich.emulatorLabels" -}}
{{ include "ipenrich.emulatorSelectorLabels" . }}
app.kubernetes.io/component: emulator
{{ include "ipenrich.commonLabels" . }}
{{- end -}}

{{- define "ipenrich.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ipenrich.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end -}}

{{- define "ipenrich.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ipenrich.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The secret holding Defender credentials: an existing one, or the one this chart creates. */}}
{{- define "ipenrich.defenderSecret" -}}
{{- default (printf "%s-defender" (include "ipenrich.fullname" .)) .Values.defender.existingSecret -}}
{{- end -}}

{{- define "ipenrich.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "ipenrich.emulatorName" -}}
{{- printf "%s-emulator" (include "ipenrich.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Replicas sharing the API budget: while Redis is unreachable each falls back to 1/N of it, so N is the most replicas
there can be — the autoscaler's maximum when one scales the worker, else replicaCount — unless set explicitly.
*/}}
{{- define "ipenrich.expectedReplicas" -}}
{{- $explicit := dig "Quota" "ExpectedReplicas" 0 .Values.config -}}
{{- if $explicit -}}
{{- $explicit -}}
{{- else if .Values.keda.enabled -}}
{{- .Values.keda.maxReplicas -}}
{{- else if .Values.autoscaling.enabled -}}
{{- .Values.autoscaling.maxReplicas -}}
{{- else -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{/* Value combinations the schema cannot express: refused at render time with the setting to change. */}}
{{- define "ipenrich.validate" -}}
{{- if and .Values.defender.certificate.enabled (not .Values.defender.existingSecret) -}}
{{- fail "defender.certificate.enabled needs defender.existingSecret: a Secret with tls.pem (certificate and private key); the chart creates secrets for a client secret only" -}}
{{- end -}}
{{- if and .Values.emulator.enabled (or .Values.defender.certificate.enabled .Values.defender.workloadIdentity.enabled (not (or .Values.defender.clientSecret .Values.defender.existingSecret))) -}}
{{- fail "emulator.enabled needs a client secret (defender.clientSecret or defender.existingSecret with client-secret): the emulator and the worker share it, certificates and workload identity do not reach the emulator" -}}
{{- end -}}
{{- end -}}
