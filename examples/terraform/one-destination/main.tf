# One Upstack Klaviyo destination. The Klaviyo key is write-only: it reaches Upstack but never the
# plan or the state. Credentials come from the environment:
#   export UPSTACK_API_KEY=upstack_...            # the Upstack API key for this pixel
#   export TF_VAR_klaviyo_private_key=pk_...      # Full Access, named UpstackData
#   terraform init && terraform plan && terraform apply
terraform {
  required_version = ">= 1.11"
  required_providers {
    upstack = {
      source  = "upstack/upstack"
      version = "~> 0.1"
    }
  }
}

provider "upstack" {}

variable "pixel_id" {
  type        = string
  description = "The Upstack pixel's UUID (Upstack dashboard)."
}

variable "klaviyo_site_id" {
  type        = string
  default     = null
  description = "Optional: the Klaviyo Site ID (6 characters) the key must belong to."
}

variable "klaviyo_private_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The Klaviyo private API key (pk_...)."
}

variable "klaviyo_private_key_version" {
  type        = number
  default     = 1
  description = "Bump it together with klaviyo_private_key to rotate the key in place."
}

resource "upstack_klaviyo_destination" "klaviyo" {
  pixel_id                   = var.pixel_id
  public_api_key             = var.klaviyo_site_id
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = var.klaviyo_private_key_version
}

output "destination_id" {
  value = upstack_klaviyo_destination.klaviyo.id
}

output "key_hint" {
  value = upstack_klaviyo_destination.klaviyo.key_hint
}

output "status" {
  value = upstack_klaviyo_destination.klaviyo.status
}
