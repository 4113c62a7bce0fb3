variable "client_account_id" {
  description = "The client's DocuSign account id (GUID). The provider impersonates the user its account_users names for this account (or its user_id), who must be a member of it and have consented to the integration key. Null uses the account of the provider passed to the module (the provider-alias style)."
  type        = string
  default     = null
}

variable "webhook_url" {
  description = "The partner's https listener for this client's events."
  type        = string
}

variable "name" {
  description = "The configuration's name in the client's account."
  type        = string
  default     = "Partner integration"
}

variable "events" {
  description = "JSON SIM events to send."
  type        = set(string)
  default     = ["envelope-sent", "envelope-completed"]
}

variable "include_data" {
  description = "Extra data in each message (eventData.includeData)."
  type        = set(string)
  default     = ["recipients", "custom_fields"]
}

variable "auth" {
  description = "How DocuSign authenticates messages to the partner's listener: \"oauth\" (the partner account's OAuth for Connect settings) or \"hmac\" (its HMAC keys)."
  type        = string
  default     = "oauth"

  validation {
    condition     = contains(["oauth", "hmac"], var.auth)
    error_message = "The auth variable must be \"oauth\" or \"hmac\"."
  }
}

variable "enable_log" {
  description = "Keep a Connect log for the configuration."
  type        = bool
  default     = true
}
