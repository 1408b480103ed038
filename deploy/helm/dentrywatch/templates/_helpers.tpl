{{/* The chart's name. */}}
{{- define "dentrywatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: the release name when it contains the chart name (so the release
"dentrywatch" names them dentrywatch, like deploy/kubernetes), else <release>-<chart>.
*/}}
{{- define "dentrywatch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The namespace of every namespaced object. */}}
{{- define "dentrywatch.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/* chart name and version, for the helm.sh/chart label */}}
{{- define "dentrywatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select the exporter's pods. */}}
{{- define "dentrywatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dentrywatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of every object. */}}
{{- define "dentrywatch.labels" -}}
helm.sh/chart: {{ include "dentrywatch.chart" . }}
{{ include "dentrywatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "dentrywatch.name" . }}
{{- end }}

{{/* The service account's name. */}}
{{- define "dentrywatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dentrywatch.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag or registry/repository@digest */}}
{{- define "dentrywatch.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The NodeDentryCacheLarge threshold, checked: a positive number. */}}
{{- define "dentrywatch.nodeDentryCacheThreshold" -}}
{{- $threshold := toString .Values.prometheusRule.nodeDentryCacheThreshold }}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?([eE][0-9]+)?$" $threshold) }}
{{- fail (printf "prometheusRule.nodeDentryCacheThreshold must be a positive number (50e6, 20000000), not %q" $threshold) }}
{{- end }}
{{- $threshold }}
{{- end }}

{{/* The threshold in words: 50M for 50e6, else the number of dentries. */}}
{{- define "dentrywatch.nodeDentryCacheThresholdText" -}}
{{- $count := int64 (float64 (include "dentrywatch.nodeDentryCacheThreshold" .)) }}
{{- if and (gt $count 0) (eq (mod $count 1000000) 0) }}
{{- printf "%dM" (div $count 1000000) }}
{{- else }}
{{- printf "%d" $count }}
{{- end }}
{{- end }}
