# Rotating the Klaviyo key with the write-only argument: the key is never in plan or state, so the
# version is what tells Terraform to send it again. See README.md for the walk-through.
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
  type = string
}

variable "klaviyo_site_id" {
  type        = string
  description = "The Klaviyo Site ID the new key must belong to."
}

variable "klaviyo_private_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "klaviyo_private_key_version" {
  type    = number
  default = 1
}

# Checks the key during `terraform plan` (live, the right account, Full Access) and keeps nothing.
ephemeral "upstack_klaviyo_key" "candidate" {
  private_api_key = var.klaviyo_private_key
  public_api_key  = var.klaviyo_site_id

  lifecycle {
    postcondition {
      condition     = self.account_id == var.klaviyo_site_id
      error_message = "The key belongs to another Klaviyo account."
    }
  }
}

resource "upstack_klaviyo_destination" "klaviyo" {
  pixel_id                   = var.pixel_id
  public_api_key             = var.klaviyo_site_id
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = var.klaviyo_private_key_version
}

output "key_hint" {
  value = upstack_klaviyo_destination.klaviyo.key_hint
}

output "rotated_at" {
  value = upstack_klaviyo_destination.klaviyo.rotated_at
}
